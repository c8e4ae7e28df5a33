import { randomUUID } from 'node:crypto';
import { tokenHash } from '../crypto/access-token.js';
import { type Tx, withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { InvalidCredentialsError, type VaultError } from '../errors.js';
import { assertBudgetLeft, REAUTH_FAILURES, recordAttempt, SIGN_IN_FAILURES } from './attempts.js';
import { hashIp } from './ip-hasher.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import { checkSecondFactor, TwoFactorRequiredError } from './second-factor.js';
import { type IssuedSession, issueSession } from './sessions.js';

/** Client facts the server passes with sign-in requests. Raw IPs are hashed, never stored. */
export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/** Result of a successful sign-in. */
export interface SignedIn {
  userId: string;
  session: IssuedSession;
  /** First sign-in from this user agent: the server sends the new-device alert email. */
  newDevice: boolean;
}

/** How the first factor was shown: the login log records it. */
export type FirstFactor = 'password' | 'email_code';

/** What the sign-in gate needs besides the user whose first factor is proven. */
export interface Admission {
  method: FirstFactor;
  /** A TOTP code or a recovery code, when the account has two-factor sign-in on. */
  secondFactor?: string | null;
  client?: ClientInfo | undefined;
  /** A session token from before sign-in, revoked (session rotation). */
  previousToken?: string | null;
  /** Spends the first factor (e.g. marks an emailed code used), only once sign-in succeeds. */
  consume?: (tx: Tx) => Promise<void>;
}

/** The outcome of the gate when it does not admit: the error, and whether it was a failure. */
type Refusal = { refused: VaultError; failed: boolean };

/**
 * The one gate every sign-in passes after its first factor (password, emailed code): it checks
 * the second factor when the account has one, records the outcome in the login log, revokes the
 * pre-sign-in session and issues the new one. No other path issues a sign-in session, so a new
 * first factor cannot skip the second.
 */
async function admit(
  deps: Pick<VaultDeps, 'clock' | 'sessions' | 'keys'>,
  tx: Tx,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  user: any,
  admission: Admission,
): Promise<SignedIn | Refusal> {
  const now = deps.clock.now();
  const client = admission.client;
  const ipHash = client?.ip ? await hashIp(tx, client.ip, now) : null;
  const userAgent = client?.userAgent?.slice(0, 512) ?? null;
  const factor = await checkSecondFactor(deps, tx, user, admission.secondFactor);
  if (factor === 'missing') return { refused: new TwoFactorRequiredError(), failed: false };
  if (factor === 'wrong') {
    await logSignIn(tx, now, user.id, 'failure', admission.method, ipHash, userAgent);
    return { refused: new InvalidCredentialsError(), failed: true };
  }
  if (admission.previousToken) {
    await tx('sessions')
      .where({ token_hash: tokenHash(admission.previousToken) })
      .update({ revoked_at: now });
  }
  const seen = await tx('login_events')
    .where({ user_id: user.id, outcome: 'success' })
    .where('user_agent', userAgent ?? '')
    .first('id');
  await admission.consume?.(tx);
  const session = await issueSession(deps, tx, user.id, 'browser', { userAgent, ipHash });
  await logSignIn(tx, now, user.id, 'success', admission.method, ipHash, userAgent, !seen);
  return { userId: user.id as string, session, newDevice: !seen };
}

async function logSignIn(
  tx: Tx,
  at: Date,
  userId: string | null,
  outcome: 'success' | 'failure',
  method: string,
  ipHash: string | null,
  userAgent: string | null,
  newDevice = false,
): Promise<void> {
  await tx('login_events').insert({
    id: randomUUID(),
    user_id: userId,
    outcome,
    method,
    ip_hash: ipHash,
    user_agent: userAgent,
    new_device: newDevice,
    at,
  });
}

/**
 * Runs the gate for a user whose first factor `proven` decides inside the same transaction.
 * Failures (wrong first or second factor) count against the account's sign-in budget and are
 * committed before the error is thrown; a missing second factor counts nothing, so the caller
 * may try again with it.
 */
export async function admitSignIn(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys' | 'mailer'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  user: any,
  admission: Admission,
  proven: (tx: Tx) => Promise<boolean>,
): Promise<SignedIn> {
  const now = deps.clock.now();
  const budgetKey = `sign-in-failure:${user.id}`;
  const result = await withIdentity(deps.db, async (tx): Promise<SignedIn | Refusal> => {
    await assertBudgetLeft(tx, budgetKey, SIGN_IN_FAILURES, now);
    let outcome: SignedIn | Refusal;
    if (await proven(tx)) outcome = await admit(deps, tx, user, admission);
    else {
      const client = admission.client;
      const ipHash = client?.ip ? await hashIp(tx, client.ip, now) : null;
      const userAgent = client?.userAgent?.slice(0, 512) ?? null;
      await logSignIn(tx, now, user.id, 'failure', admission.method, ipHash, userAgent);
      outcome = { refused: new InvalidCredentialsError(), failed: true };
    }
    if ('refused' in outcome && outcome.failed) {
      await recordAttempt(tx, budgetKey, SIGN_IN_FAILURES, now);
    }
    return outcome;
  });
  if ('refused' in result) throw result.refused;
  if (result.newDevice) await alertNewDevice(deps, user.email, admission.client, now);
  return result;
}

/** The new-device alert is best effort: a mail outage must not block signing in. */
async function alertNewDevice(
  deps: Pick<VaultDeps, 'mailer'>,
  to: string,
  client: ClientInfo | undefined,
  now: Date,
): Promise<void> {
  const device = (client?.userAgent ?? 'unknown browser').replace(/[\r\n]/g, ' ').slice(0, 120);
  await deps.mailer
    .send({
      to,
      subject: 'New sign-in to your Vaultmark account',
      text: `Your account was signed in from a new device (${device}) at ${now.toISOString()}.\n\nIf this was not you, change your password now: every session will end.`,
    })
    .catch(() => undefined);
}

/** Reads an active account by its normalised email. */
// biome-ignore lint/suspicious/noExplicitAny: database row
export function findAccount(deps: Pick<VaultDeps, 'db'>, email: string): Promise<any> {
  return withIdentity(deps.db, (tx) =>
    tx('users').whereRaw('lower(email) = ?', [email]).whereNull('deleted_at').first(),
  );
}

/**
 * Signs in with email and password (and the second factor when the account has one). Always
 * issues a new session (rotation); a `previousToken` from before sign-in is revoked. Failures
 * are logged and indistinguishable to the caller, unknown emails cost the same hashing work as
 * known ones, and an account's failures are limited whatever address they come from.
 */
export async function signIn(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys' | 'mailer'>,
  input: { email: string; password: string; totp?: string | null; previousToken?: string | null },
  client?: ClientInfo,
): Promise<SignedIn> {
  const email = normalizeEmail(input.email);
  if (typeof input.password !== 'string') throw new InvalidCredentialsError();
  const user = await findAccount(deps, email);
  if (!user) {
    await burnPasswordCheck(input.password);
    const now = deps.clock.now();
    await withIdentity(deps.db, async (tx) => {
      const ipHash = client?.ip ? await hashIp(tx, client.ip, now) : null;
      const ua = client?.userAgent?.slice(0, 512) ?? null;
      await logSignIn(tx, now, null, 'failure', 'password', ipHash, ua);
    });
    throw new InvalidCredentialsError();
  }
  const ok = await verifyPassword(user.password_hash, input.password);
  return admitSignIn(
    deps,
    user,
    {
      method: 'password',
      secondFactor: input.totp ?? null,
      client,
      previousToken: input.previousToken ?? null,
    },
    async () => ok,
  );
}

/**
 * Re-authentication inside a session before a sensitive change (account deletion, turning
 * two-factor off, a password change, a new API token): the password, and the second factor when
 * `secondFactor` is asked for and the account has one. Every such check shares one per-account
 * budget of failures, so a stolen session cannot guess the password online.
 */
export async function reauthenticate(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  userId: string,
  input: { password?: unknown; totp?: string | null },
  options: { secondFactor?: boolean } = {},
): Promise<void> {
  const now = deps.clock.now();
  const key = `reauth-failure:${userId}`;
  const user = await withIdentity(deps.db, async (tx) => {
    await assertBudgetLeft(tx, key, REAUTH_FAILURES, now);
    return tx('users').where({ id: userId }).whereNull('deleted_at').first();
  });
  const password = typeof input?.password === 'string' ? input.password : '';
  const ok = user ? await verifyPassword(user.password_hash, password) : false;
  const refusal = await withIdentity(deps.db, async (tx): Promise<VaultError | null> => {
    let outcome: 'ok' | 'missing' | 'wrong' = ok ? 'ok' : 'wrong';
    if (ok && options.secondFactor) {
      const factor = await checkSecondFactor(deps, tx, user, input.totp);
      outcome = factor === 'none' ? 'ok' : factor;
    }
    if (outcome === 'ok') return null;
    if (outcome === 'missing') return new TwoFactorRequiredError();
    await recordAttempt(tx, key, REAUTH_FAILURES, now);
    return new InvalidCredentialsError();
  });
  if (refusal) throw refusal;
}
