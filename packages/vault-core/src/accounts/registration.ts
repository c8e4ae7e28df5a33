import { randomUUID } from 'node:crypto';
import { withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { InvalidCredentialsError } from '../errors.js';
import { cleanName, createAccount, type Registered } from './accounts.js';
import {
  boundCodeHash,
  codeMatches,
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_TTL_MS,
  mayMailCode,
  newEmailCode,
} from './email-code.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import type { ClientInfo } from './sign-in.js';

/**
 * Starts a sign-up that reveals nothing about existing accounts: the answer is the same for a
 * new and a taken address. A new address gets a 6-digit code (bound, like sign-in codes, to a
 * value only the asking client holds); the owner of a taken address gets a notice instead, and
 * the code that would confirm it never exists. Input is checked first (a bad password or name
 * is the caller's own mistake and reveals nothing).
 */
export async function requestRegistration(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  input: { email: string; password: string; displayName: string; binding: string },
): Promise<{ requestId: string }> {
  const email = normalizeEmail(input?.email);
  const displayName = cleanName(input.displayName, 'displayName');
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const requestId = randomUUID();
  const code = newEmailCode();
  const now = deps.clock.now();
  const outcome = await withIdentity(deps.db, async (tx) => {
    const taken = await tx('users').whereRaw('lower(email) = ?', [email]).first('id');
    await tx('pending_registrations').insert({
      id: requestId,
      email,
      display_name: displayName,
      password_hash: passwordHash,
      // A taken address stores a hash no code can match: its request can never complete.
      code_hash: boundCodeHash(
        'registration',
        requestId,
        taken ? randomUUID() : input.binding,
        code,
      ),
      created_at: now,
      expires_at: new Date(now.getTime() + EMAIL_CODE_TTL_MS),
    });
    return { taken: Boolean(taken), send: await mayMailCode(tx, email, now) };
  });
  if (outcome.send) {
    await deps.mailer.send(
      outcome.taken
        ? {
            to: email,
            subject: 'Someone tried to create a Vaultmark account with your address',
            text: `Someone asked to create a Vaultmark account with this address at ${now.toISOString()}, but you already have one.\n\nIf it was you, sign in instead (or ask for a sign-in code by email). If it was not you, nothing changed and you need do nothing.`,
          }
        : {
            to: email,
            subject: `Confirm your Vaultmark account: ${code}`,
            text: `Your confirmation code is ${code}. Enter it on the sign-up page to create your account. It expires in 10 minutes and works once.\n\nIf you did not ask for an account, ignore this message: nothing is created without the code.`,
          },
    );
  }
  return { requestId };
}

/**
 * Completes a sign-up with the emailed code (in the client that asked): creates the account and
 * signs it in. Wrong, expired, used and over-attempted codes fail alike (`invalid_credentials`),
 * and so does an address registered in the meantime.
 */
export async function completeRegistration(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  input: { requestId: string; code: string; binding: string },
  client?: ClientInfo,
): Promise<Registered> {
  const now = deps.clock.now();
  const requestId = /^[0-9a-f-]{36}$/.test(String(input?.requestId)) ? input.requestId : null;
  if (!requestId) throw new InvalidCredentialsError();
  const pending = await withIdentity(deps.db, async (tx) => {
    const row = await tx('pending_registrations').where({ id: requestId }).forUpdate().first();
    if (
      !row ||
      row.used_at ||
      new Date(row.expires_at) <= now ||
      row.attempts >= EMAIL_CODE_MAX_ATTEMPTS
    )
      return null;
    const given = boundCodeHash('registration', row.id, String(input.binding), String(input.code));
    if (!codeMatches(row.code_hash, given)) {
      await tx('pending_registrations')
        .where({ id: row.id })
        .update({ attempts: row.attempts + 1 });
      return null;
    }
    await tx('pending_registrations').where({ id: row.id }).update({ used_at: now });
    return row;
  });
  if (!pending) throw new InvalidCredentialsError();
  const created = await createAccount(
    deps,
    {
      email: pending.email,
      displayName: pending.display_name,
      passwordHash: pending.password_hash,
    },
    client,
  );
  // Registered by someone else in the meantime: the code no longer creates anything.
  if (!created) throw new InvalidCredentialsError();
  return created;
}
