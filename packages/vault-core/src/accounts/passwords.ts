import { ValidationError } from '../errors.js';

/** The native argon2 module, loaded on the first password operation (not at import). */
const argon2 = () => import('@node-rs/argon2');

/**
 * Argon2id with the OWASP Password Storage Cheat Sheet's first recommended setting
 * (m = 19 MiB, t = 2, p = 1). The whole password is hashed: argon2 has no input cap, unlike
 * bcrypt's 72 bytes, so long passphrases are never truncated.
 */
export const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under isolatedModules) */,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** Shortest accepted password, in characters (NIST SP 800-63B: at least 8). */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest accepted password in bytes: long enough for any passphrase, bounded against DoS. */
export const MAX_PASSWORD_BYTES = 4096;

/** Checks the password policy; never trims or truncates. */
export function assertPasswordPolicy(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new ValidationError('password required', 'password');
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(
      `password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      'password',
    );
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new ValidationError(`password must be at most ${MAX_PASSWORD_BYTES} bytes`, 'password');
  }
}

/** Hashes a password (PHC string with a random 16-byte salt). */
export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password.normalize('NFC'), ARGON2_OPTIONS);
}

/** Verifies a password against a PHC string; false on any mismatch or malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await (await argon2()).verify(phc, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same work as a real verification when the account does not exist, so response
 * time does not reveal which emails are registered.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('vaultmark-dummy-password');
  await verifyPassword(await dummy, password);
}
