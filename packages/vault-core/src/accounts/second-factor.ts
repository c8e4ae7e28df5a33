import { createHash } from 'node:crypto';
import { verify as verifyOtp } from 'otplib';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { VaultError } from '../errors.js';

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

/** The KEK wrapping context of a user's TOTP secret. */
export const totpContext = (userId: string) => ({ tenantId: 'totp', objectId: userId });
/** SHA-256 of a string (recovery codes are stored so). */
export const sha = (s: string) => createHash('sha256').update(s).digest();

/**
 * Accepts a current code if it has not been used: codes at or before the last accepted time
 * step are refused, so each code signs in once. One step of clock drift either way is allowed.
 */
export async function checkTotp(
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
