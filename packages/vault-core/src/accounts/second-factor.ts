import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { generateURI, verify as verifyOtp } from 'otplib';
import { type Tx, withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { InvalidCredentialsError, ValidationError, VaultError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import { verifyPassword } from './passwords.js';
import { type IssuedSession, issueSession, revokeAllSessions } from './sessions.js';

/** The account has TOTP enabled and the sign-in carried no second factor. */
export class TwoFactorRequiredError extends VaultError {
  constructor() {
    super('two_factor_required', 'a second factor is required');
  }
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32 without padding (authenticator apps expect it). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

const totpContext = (userId: string) => ({ tenantId: 'totp', objectId: userId });
const sha = (s: string) => createHash('sha256').update(s).digest();

/**
 * Starts TOTP enrolment: a 256-bit secret (RFC 6238 with SHA-1, 6 digits, 30 s), stored wrapped
 * by the KEK, not yet enabled. Returns the base32 secret and the `otpauth://` URI for a QR code.
 */
export async function beginTotpEnrollment(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
  userId: string,
): Promise<{ secret: string; uri: string }> {
  const raw = randomBytes(32);
  const wrapped = await deps.keys.wrap(raw, totpContext(userId));
  const user = await withIdentity(deps.db, async (tx) => {
    const u = await tx('users').where({ id: userId }).first('email', 'totp_enabled_at');
    if (!u) throw new InvalidCredentialsError();
    if (u.totp_enabled_at)
      throw new ValidationError('two-factor sign-in is already enabled', 'totp');
    await tx('users')
      .where({ id: userId })
      .update({
        totp_secret_wrapped: Buffer.from(wrapped),
        totp_kek_id: deps.keys.keyId,
        totp_last_step: null,
      });
    return u;
  });
  const secret = base32(raw);
  return { secret, uri: generateURI({ issuer: 'Vaultmark', label: user.email, secret }) };
}

/**
 * Accepts a current code if it has not been used: codes at or before the last accepted time
 * step are refused, so each code signs in once. One step of clock drift either way is allowed.
 */
async function checkTotp(
  deps: Pick<VaultDeps, 'keys' | 'clock'>,
  tx: Tx,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  user: any,
  code: string,
): Promise<boolean> {
  if (!user.totp_secret_wrapped || !/^\d{6}$/.test(code)) return false;
  const raw = await deps.keys.unwrap(
    user.totp_secret_wrapped,
    totpContext(user.id),
    user.totp_kek_id,
  );
  const epoch = Math.floor(deps.clock.now().getTime() / 1000);
  const result = await verifyOtp({ secret: base32(raw), token: code, epoch, epochTolerance: 30 });
  if (!result.valid || !('timeStep' in result)) return false;
  const step = Number(result.timeStep);
  if (user.totp_last_step != null && step <= Number(user.totp_last_step)) return false;
  await tx('users').where({ id: user.id }).update({ totp_last_step: step });
  return true;
}

/**
 * Confirms enrolment with a code from the app: enables TOTP, issues 10 single-use recovery
 * codes (shown once, stored as SHA-256; each carries 60 random bits), ends every session and
 * returns a fresh one.
 */
export async function confirmTotpEnrollment(
  deps: Pick<VaultDeps, 'db' | 'keys' | 'clock' | 'sessions'>,
  userId: string,
  code: string,
): Promise<{ recoveryCodes: string[]; session: IssuedSession }> {
  return withIdentity(deps.db, async (tx) => {
    const user = await tx('users').where({ id: userId }).forUpdate().first();
    if (!user || user.totp_enabled_at || !(await checkTotp(deps, tx, user, code))) {
      throw new InvalidCredentialsError();
    }
    const now = deps.clock.now();
    await tx('users').where({ id: userId }).update({ totp_enabled_at: now });
    const recoveryCodes = Array.from({ length: 10 }, () => base32(randomBytes(8)).slice(0, 12));
    await tx('recovery_codes').where({ user_id: userId }).del();
    await tx('recovery_codes').insert(
      recoveryCodes.map((c) => ({ user_id: userId, code_hash: sha(c) })),
    );
    await revokeAllSessions(tx, userId, now);
    return { recoveryCodes, session: await issueSession(deps, tx, userId, 'browser') };
  });
}

/** Turns TOTP off (password re-entered); recovery codes are deleted and every session ends. */
export async function disableTotp(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
  input: { password: string },
): Promise<void> {
  await withIdentity(deps.db, async (tx) => {
    const user = await tx('users').where({ id: userId }).first();
    if (!user || !(await verifyPassword(user.password_hash, input.password)))
      throw new InvalidCredentialsError();
    await tx('users').where({ id: userId }).update({
      totp_secret_wrapped: null,
      totp_kek_id: null,
      totp_enabled_at: null,
      totp_last_step: null,
    });
    await tx('recovery_codes').where({ user_id: userId }).del();
    await revokeAllSessions(tx, userId, deps.clock.now());
  });
}

/**
 * Checks the second factor of a sign-in inside its transaction: nothing to do without TOTP;
 * otherwise a fresh TOTP code or an unused recovery code (which is then spent).
 */
export async function checkSecondFactor(
  deps: Pick<VaultDeps, 'keys' | 'clock'>,
  tx: Tx,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  user: any,
  code: string | null | undefined,
): Promise<'none' | 'ok' | 'missing' | 'wrong'> {
  if (!user.totp_enabled_at) return 'none';
  if (!code) return 'missing';
  const c = code.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{6}$/.test(c)) return (await checkTotp(deps, tx, user, c)) ? 'ok' : 'wrong';
  const spent = await tx('recovery_codes')
    .where({ user_id: user.id, code_hash: sha(c) })
    .whereNull('used_at')
    .update({ used_at: deps.clock.now() })
    .returning('user_id');
  return spent.length > 0 ? 'ok' : 'wrong';
}

/** Emailed sign-in codes live 10 minutes and allow 5 attempts. */
export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

function emailCodeHash(requestId: string, binding: string, code: string): Buffer {
  return sha(`vaultmark/email-code/v1\n${requestId}\n${binding}\n${code}`);
}

/**
 * Emails a single-use 6-digit sign-in code. `binding` is a value only the requesting client
 * holds (e.g. a hash of its pre-sign-in cookie): the code works only together with it. The
 * answer is the same whether or not the address has an account.
 */
export async function requestEmailCode(
  deps: Pick<VaultDeps, 'db' | 'clock'> & { mailer: Mailer },
  input: { email: string; binding: string },
): Promise<{ requestId: string }> {
  const email = input.email.trim().toLowerCase();
  const requestId = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = deps.clock.now();
  const user = await withIdentity(deps.db, async (tx) => {
    const u = await tx('users')
      .whereRaw('lower(email) = ?', [email])
      .whereNull('deleted_at')
      .first('id', 'email');
    await tx('email_codes').insert({
      id: requestId,
      user_id: u?.id ?? null,
      code_hash: emailCodeHash(requestId, input.binding, code),
      created_at: now,
      expires_at: new Date(now.getTime() + EMAIL_CODE_TTL_MS),
    });
    return u;
  });
  if (user) {
    await deps.mailer.send({
      to: user.email,
      subject: `Your Vaultmark sign-in code: ${code}`,
      text: `Your sign-in code is ${code}. It expires in 10 minutes and works once.\n\nIf you did not ask for it, ignore this message.`,
    });
  }
  return { requestId };
}

/**
 * Signs in with an emailed code. Wrong, expired, used, over-attempted and unbound codes all
 * fail alike; every wrong try counts against the request.
 */
export async function signInWithEmailCode(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  input: { requestId: string; code: string; binding: string },
): Promise<{ userId: string; session: IssuedSession }> {
  const now = deps.clock.now();
  const result = await withIdentity(deps.db, async (tx) => {
    const row = /^[0-9a-f-]{36}$/.test(input.requestId)
      ? await tx('email_codes').where({ id: input.requestId }).forUpdate().first()
      : undefined;
    if (
      !row ||
      row.used_at ||
      new Date(row.expires_at) <= now ||
      row.attempts >= EMAIL_CODE_MAX_ATTEMPTS
    )
      return null;
    const given = emailCodeHash(row.id, String(input.binding), String(input.code));
    const ok = row.user_id && timingSafeEqual(given, Buffer.from(row.code_hash));
    if (!ok) {
      await tx('email_codes')
        .where({ id: row.id })
        .update({ attempts: row.attempts + 1 });
      return null;
    }
    await tx('email_codes').where({ id: row.id }).update({ used_at: now });
    await tx('login_events').insert({
      id: randomUUID(),
      user_id: row.user_id,
      outcome: 'success',
      method: 'email_code',
      at: now,
    });
    return {
      userId: row.user_id as string,
      session: await issueSession(deps, tx, row.user_id, 'browser'),
    };
  });
  if (!result) throw new InvalidCredentialsError();
  return result;
}
