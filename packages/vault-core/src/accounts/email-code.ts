import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { type Tx, withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { InvalidCredentialsError } from '../errors.js';
import { CODES_PER_ADDRESS, recordAttempt } from './attempts.js';
import { admitSignIn, type ClientInfo, type SignedIn } from './sign-in.js';

/** Emailed sign-in codes live 10 minutes and allow 5 attempts. */
export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

/** A fresh 6-digit code. */
export function newEmailCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form of an emailed code: a hash over its purpose, request id, the binding (a value
 * only the asking client holds) and the code, so a code works only in the browser that asked.
 */
export function boundCodeHash(
  purpose: string,
  requestId: string,
  binding: string,
  code: string,
): Buffer {
  return createHash('sha256')
    .update(`vaultmark/${purpose}/v1\n${requestId}\n${binding}\n${code}`)
    .digest();
}

/** Whether a given code matches a stored hash, in constant time. */
export function codeMatches(stored: Uint8Array, given: Buffer): boolean {
  const expected = Buffer.from(stored);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Counts one code email to an address and says whether it may be sent: at most
 * {@link CODES_PER_ADDRESS} per window, so nobody can flood a mailbox through the vault.
 */
export async function mayMailCode(tx: Tx, email: string, now: Date): Promise<boolean> {
  const key = `code-mail:${createHash('sha256').update(email).digest('hex')}`;
  return (await recordAttempt(tx, key, CODES_PER_ADDRESS, now)) <= CODES_PER_ADDRESS.max;
}

/**
 * Emails a single-use 6-digit sign-in code. `binding` is a value only the requesting client
 * holds (e.g. a hash of its pre-sign-in cookie): the code works only together with it. The
 * answer is the same whether or not the address has an account, and whether or not the
 * address's hourly allowance of code emails is spent.
 */
export async function requestEmailCode(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  input: { email: string; binding: string },
): Promise<{ requestId: string }> {
  const email = normalizeEmail(input?.email);
  const requestId = randomUUID();
  const code = newEmailCode();
  const now = deps.clock.now();
  const send = await withIdentity(deps.db, async (tx) => {
    const u = await tx('users')
      .whereRaw('lower(email) = ?', [email])
      .whereNull('deleted_at')
      .first('id', 'email');
    await tx('email_codes').insert({
      id: requestId,
      user_id: u?.id ?? null,
      code_hash: boundCodeHash('email-code', requestId, String(input.binding), code),
      created_at: now,
      expires_at: new Date(now.getTime() + EMAIL_CODE_TTL_MS),
    });
    return u && (await mayMailCode(tx, email, now)) ? u : null;
  });
  if (send) {
    await deps.mailer.send({
      to: send.email,
      subject: `Your Vaultmark sign-in code: ${code}`,
      text: `Your sign-in code is ${code}. It expires in 10 minutes and works once.\n\nIf you did not ask for it, ignore this message.`,
    });
  }
  return { requestId };
}

/**
 * Signs in with an emailed code — through the same gate as a password, so an account with
 * two-factor sign-in also needs its TOTP or a recovery code (`totp`): without it the answer is
 * `two_factor_required` and the code stays valid for the retry. Wrong, expired, used,
 * over-attempted and unbound codes all fail alike; every wrong try counts against the request
 * and the account.
 */
export async function signInWithEmailCode(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys' | 'mailer'>,
  input: { requestId: string; code: string; binding: string; totp?: string | null },
  client?: ClientInfo,
): Promise<SignedIn> {
  const now = deps.clock.now();
  const requestId = /^[0-9a-f-]{36}$/.test(String(input?.requestId)) ? input.requestId : null;
  const user = requestId
    ? await withIdentity(deps.db, (tx) =>
        tx('email_codes')
          .join('users', 'users.id', 'email_codes.user_id')
          .where('email_codes.id', requestId)
          .whereNull('users.deleted_at')
          .first('users.*'),
      )
    : undefined;
  if (!requestId || !user) {
    if (requestId) {
      await withIdentity(deps.db, (tx) =>
        tx('email_codes').where({ id: requestId }).increment('attempts', 1),
      );
    }
    throw new InvalidCredentialsError();
  }
  return admitSignIn(
    deps,
    user,
    {
      method: 'email_code',
      secondFactor: input.totp ?? null,
      client,
      consume: async (tx) => {
        await tx('email_codes').where({ id: requestId }).update({ used_at: now });
      },
    },
    async (tx) => {
      const row = await tx('email_codes').where({ id: requestId }).forUpdate().first();
      if (
        !row ||
        row.used_at ||
        new Date(row.expires_at) <= now ||
        row.attempts >= EMAIL_CODE_MAX_ATTEMPTS
      )
        return false;
      const given = boundCodeHash('email-code', row.id, String(input.binding), String(input.code));
      if (codeMatches(row.code_hash, given)) return true;
      await tx('email_codes')
        .where({ id: row.id })
        .update({ attempts: row.attempts + 1 });
      return false;
    },
  );
}
