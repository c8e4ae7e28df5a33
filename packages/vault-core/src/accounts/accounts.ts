import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import type { Tx } from '../db/transactions.js';
import { isUuid, withIdentity, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { EmailTakenError, NotFoundError, ValidationError } from '../errors.js';
import type { Actor, Role } from '../policies.js';
import { daySalt, hashIp, hmacIp } from './ip-hasher.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { type IssuedSession, issueSession, revokeAllSessions } from './sessions.js';
import { type ClientInfo, reauthenticate } from './sign-in.js';

export { normalizeEmail };

/** Checks a display name (trimmed, not empty, at most `max` characters). */
export function cleanName(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string' || !value.trim())
    throw new ValidationError(`${field} required`, field);
  const v = value.trim();
  if (v.length > max) throw new ValidationError(`${field} too long`, field);
  return v;
}

async function ipHashOf(tx: Tx, client: ClientInfo | undefined, now: Date): Promise<string | null> {
  return client?.ip ? hashIp(tx, client.ip, now) : null;
}

/** Result of registration: the user, their personal organization and a signed-in session. */
export interface Registered {
  userId: string;
  organizationId: string;
  session: IssuedSession;
}

/**
 * Creates an account: a user, a personal one-person organization owned by them, an audit event,
 * a first session and a login-log entry, in one transaction scoped to the new organization.
 * Returns `null` when the email is taken (the database's unique violation), for the caller to
 * answer as it must.
 */
export async function createAccount(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  account: { email: string; displayName: string; passwordHash: string },
  client?: ClientInfo,
): Promise<Registered | null> {
  const organizationId = randomUUID();
  try {
    return await withTenant(deps.db, organizationId, (tx) =>
      insertAccount(deps, tx, { ...account, userId: randomUUID(), organizationId }, client),
    );
  } catch (e) {
    if ((e as { code?: string }).code === '23505') return null;
    throw e;
  }
}

async function insertAccount(
  deps: Pick<VaultDeps, 'clock' | 'sessions'>,
  tx: Tx,
  account: {
    userId: string;
    organizationId: string;
    email: string;
    displayName: string;
    passwordHash: string;
  },
  client?: ClientInfo,
): Promise<Registered> {
  const { userId, organizationId: orgId } = account;
  const now = deps.clock.now();
  await tx('users').insert({
    id: userId,
    email: account.email,
    display_name: account.displayName,
    password_hash: account.passwordHash,
    password_changed_at: now,
    created_at: now,
  });
  await tx('organizations').insert({
    id: orgId,
    tenant_id: orgId,
    name: account.displayName,
    personal: true,
    created_at: now,
  });
  await tx('memberships').insert({
    tenant_id: orgId,
    user_id: userId,
    role: 'owner',
    created_at: now,
    updated_at: now,
  });
  const ipHash = await ipHashOf(tx, client, now);
  await appendAudit(tx, now, {
    tenantId: orgId,
    actorId: userId,
    action: 'account.register',
    objectType: 'user',
    objectId: userId,
    ipHash,
  });
  const session = await issueSession(deps, tx, userId, 'browser', {
    userAgent: client?.userAgent ?? null,
    ipHash,
  });
  await tx('login_events').insert({
    id: randomUUID(),
    user_id: userId,
    outcome: 'success',
    method: 'register',
    ip_hash: ipHash,
    user_agent: client?.userAgent?.slice(0, 512) ?? null,
    new_device: true,
    at: now,
  });
  return { userId, organizationId: orgId, session };
}

/**
 * Registers an account directly (for integrators provisioning accounts; the web sign-up goes
 * through an emailed code instead, see `requestRegistration`). A taken email is `email_taken`.
 */
export async function register(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  input: { email: string; password: string; displayName: string },
  client?: ClientInfo,
): Promise<Registered> {
  const email = normalizeEmail(input.email);
  const displayName = cleanName(input.displayName, 'displayName');
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const created = await createAccount(deps, { email, displayName, passwordHash }, client);
  if (!created) throw new EmailTakenError();
  return created;
}

/**
 * Changes the password after checking the current one (a re-authentication, throttled per
 * account); ends every session and issues a new one.
 */
export async function changePassword(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys'>,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  client?: ClientInfo,
): Promise<IssuedSession> {
  assertPasswordPolicy(input?.newPassword);
  await reauthenticate(deps, userId, { password: input.currentPassword });
  const passwordHash = await hashPassword(input.newPassword);
  const now = deps.clock.now();
  return withIdentity(deps.db, async (tx) => {
    await tx('users')
      .where({ id: userId })
      .update({ password_hash: passwordHash, password_changed_at: now });
    await revokeAllSessions(tx, userId, now);
    return issueSession(deps, tx, userId, 'browser', {
      userAgent: client?.userAgent ?? null,
      ipHash: await ipHashOf(tx, client, now),
    });
  });
}

/**
 * Issues a bearer token for scripts (shown once). A token is a new credential, so it is issued
 * only after a re-authentication with the password and, when the account has one, the second
 * factor.
 */
export async function createApiToken(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys'>,
  userId: string,
  input: { password: string; totp?: string | null },
): Promise<IssuedSession> {
  await reauthenticate(deps, userId, input, { secondFactor: true });
  return withIdentity(deps.db, (tx) => issueSession(deps, tx, userId, 'api'));
}

/** One entry of the login log. */
export interface LoginEvent {
  at: Date;
  outcome: 'success' | 'failure';
  method: string;
  ipHash: string | null;
  userAgent: string | null;
  newDevice: boolean;
}

/** The user's login log, newest first. */
export async function loginHistory(
  deps: Pick<VaultDeps, 'db'>,
  userId: string,
  limit = 100,
): Promise<LoginEvent[]> {
  const rows = await withIdentity(deps.db, (tx) =>
    tx('login_events')
      .where({ user_id: userId })
      .orderBy('at', 'desc')
      .limit(Math.min(limit, 1000)),
  );
  return rows.map((r) => ({
    at: new Date(r.at),
    outcome: r.outcome,
    method: r.method,
    ipHash: r.ip_hash,
    userAgent: r.user_agent,
    newDevice: r.new_device,
  }));
}

/** An organization the user belongs to. */
export interface MembershipInfo {
  organizationId: string;
  name: string;
  role: Role;
  personal: boolean;
  joinedAt: Date;
  /** Set while the organization's deletion grace period runs. */
  deleteAfter: Date | null;
}

/** The user's organizations (personal first). Cross-tenant by nature: a system read. */
export async function listMemberships(
  deps: Pick<VaultDeps, 'db'>,
  userId: string,
): Promise<MembershipInfo[]> {
  const rows = await withSystem(deps.db, (tx) =>
    tx('memberships')
      .join('organizations', 'organizations.id', 'memberships.tenant_id')
      .where({ user_id: userId })
      .orderBy([{ column: 'personal', order: 'desc' }, 'memberships.created_at'])
      .select(
        'organizations.id',
        'organizations.name',
        'role',
        'personal',
        'memberships.created_at',
        'organizations.delete_after',
      ),
  );
  return rows.map((r) => ({
    organizationId: r.id,
    name: r.name,
    role: r.role,
    personal: r.personal,
    joinedAt: new Date(r.created_at),
    deleteAfter: r.delete_after ? new Date(r.delete_after) : null,
  }));
}

/**
 * Builds the {@link Actor} for a request: the user's current role in the tenant, read inside
 * that tenant's RLS scope (so a non-member gets "not found"). Without `tenantId`, the personal
 * organization is used.
 */
export async function resolveActor(
  deps: Pick<VaultDeps, 'db'>,
  userId: string,
  tenantId?: string | null,
  ipHash?: string | null,
): Promise<Actor> {
  let tenant = tenantId;
  if (!tenant) {
    const mine = await listMemberships(deps, userId);
    tenant = mine[0]?.organizationId;
  }
  if (!tenant || !isUuid(tenant)) throw new NotFoundError('organization');
  const t = tenant;
  const m = await withTenant(deps.db, t, (tx) =>
    tx('memberships')
      .join('organizations', 'organizations.id', 'memberships.tenant_id')
      .where({ 'memberships.tenant_id': t, user_id: userId })
      .first('role'),
  );
  if (!m) throw new NotFoundError('organization');
  return { userId, tenantId: t, role: m.role, ipHash: ipHash ?? null };
}

/** Today's salt per database, so a request costs no transaction once the day's salt is known. */
const knownSalts = new WeakMap<object, { day: string; salt: Buffer }>();

/**
 * Hashes a client address with today's salt (for request logs, rate limits, access logs). The
 * salt is read from the database once a day per process (every server reads the same one).
 */
export async function clientIpHash(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  ip: string,
): Promise<string> {
  const now = deps.clock.now();
  let known = knownSalts.get(deps.db);
  if (known?.day !== now.toISOString().slice(0, 10)) {
    known = await withIdentity(deps.db, (tx) => daySalt(tx, now));
    knownSalts.set(deps.db, known);
  }
  return hmacIp(known.salt, ip);
}
