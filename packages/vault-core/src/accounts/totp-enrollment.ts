import { randomBytes } from 'node:crypto';
import { generateURI } from 'otplib';
import { withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { InvalidCredentialsError, ValidationError } from '../errors.js';
import { base32, checkTotp, sha, totpContext } from './second-factor.js';
import { type IssuedSession, issueSession, revokeAllSessions } from './sessions.js';
import { reauthenticate } from './sign-in.js';

/**
 * Starts TOTP enrolment: a 256-bit secret (RFC 6238 with SHA-1, 6 digits, 30 s), stored wrapped
 * by the KEK, not yet enabled. Returns the base32 secret and the `otpauth://` URI for a QR code.
 */
export async function beginTotpEnrollment(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
  userId: string,
): Promise<{ secret: string; uri: string }> {
  const raw = randomBytes(32);
  const { wrapped, keyId } = await deps.keys.wrap(raw, totpContext(userId));
  const user = await withIdentity(deps.db, async (tx) => {
    const u = await tx('users').where({ id: userId }).first('email', 'totp_enabled_at');
    if (!u) throw new InvalidCredentialsError();
    if (u.totp_enabled_at)
      throw new ValidationError('two-factor sign-in is already enabled', 'totp');
    await tx('users')
      .where({ id: userId })
      .update({
        totp_secret_wrapped: Buffer.from(wrapped),
        totp_kek_id: keyId,
        totp_last_step: null,
      });
    return u;
  });
  const secret = base32(raw);
  return { secret, uri: generateURI({ issuer: 'Vaultmark', label: user.email, secret }) };
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

/**
 * Turns TOTP off (password re-entered, throttled with every re-authentication); recovery codes
 * are deleted and every session ends.
 */
export async function disableTotp(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  userId: string,
  input: { password: string },
): Promise<void> {
  await reauthenticate(deps, userId, { password: input?.password });
  await withIdentity(deps.db, async (tx) => {
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
