import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import type { Tx } from '../db/transactions.js';
import { isUuid, withIdentity, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import {
  EmailTakenError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
  VaultError,
} from '../errors.js';
import type { Actor, Role } from '../tenancy/policies.js';
import { hashIp } from './ip-hasher.js';
import {
  assertPasswordPolicy,
  burnPasswordCheck,
  hashPassword,
  verifyPassword,
} from './passwords.js';
import { checkSecondFactor, TwoFactorRequiredError } from './second-factor.js';
import { tokenHash } from './session-token.js';
import { type IssuedSession, issueSession, revokeAllSessions } from './sessions.js';

/** Client facts the server passes with sign-in requests. Raw IPs are hashed, never stored. */
export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/** Normalises and checks an email address (trimmed, lower-cased, at most 254 characters). */
export function normalizeEmail(email: unknown): string {
  if (typeof email !== 'string') throw new ValidationError('email required', 'email');
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) {
    throw new ValidationError('invalid email address', 'email');
  }
  return e;
}

function cleanName(value: unknown, field: string, max = 200): string {
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
 * Registers an account: a user, a personal one-person organization owned by them, an audit
 * event and a first session, all in one transaction.
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
  const now = deps.clock.now();
  const userId = randomUUID();
  const orgId = randomUUID();
  try {
    return await withTenant(deps.db, orgId, async (tx) => {
      await tx('users').insert({
        id: userId,
        email,
        display_name: displayName,
        password_hash: passwordHash,
        password_changed_at: now,
        created_at: now,
      });
      await tx('organizations').insert({
        id: orgId,
        tenant_id: orgId,
        name: displayName,
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
    });
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new EmailTakenError();
    throw e;
  }
}

function userAgentLabel(ua: string | null | undefined): string {
  return (ua ?? 'unknown browser').replace(/[\r\n]/g, ' ').slice(0, 120);
}

/** Result of a successful sign-in. */
export interface SignedIn {
  userId: string;
  session: IssuedSession;
  /** First sign-in from this user agent: the server sends the new-device alert email. */
  newDevice: boolean;
}

/**
 * Signs in with email and password. Always issues a new session (rotation); a `previousToken`
 * from before sign-in is revoked. Failures are logged and indistinguishable to the caller, and
 * unknown emails cost the same hashing work as known ones.
 */
export async function signIn(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions' | 'keys' | 'mailer'>,
  input: { email: string; password: string; totp?: string | null; previousToken?: string | null },
  client?: ClientInfo,
): Promise<SignedIn> {
  const email = normalizeEmail(input.email);
  if (typeof input.password !== 'string') throw new InvalidCredentialsError();
  const user = await withIdentity(deps.db, (tx) =>
    tx('users').whereRaw('lower(email) = ?', [email]).whereNull('deleted_at').first(),
  );
  const ok = user ? await verifyPassword(user.password_hash, input.password) : false;
  if (!user) await burnPasswordCheck(input.password);
  const now = deps.clock.now();
  const result = await withIdentity(deps.db, async (tx): Promise<SignedIn | VaultError> => {
    const ipHash = await ipHashOf(tx, client, now);
    const userAgent = client?.userAgent?.slice(0, 512) ?? null;
    const factor = ok && user ? await checkSecondFactor(deps, tx, user, input.totp) : 'wrong';
    if (factor === 'missing') return new TwoFactorRequiredError();
    if (factor === 'wrong' || !user) {
      await tx('login_events').insert({
        id: randomUUID(),
        user_id: user?.id ?? null,
        outcome: 'failure',
        method: 'password',
        ip_hash: ipHash,
        user_agent: userAgent,
        at: now,
      });
      // Commit the failure record; the error is thrown after the transaction.
      return new InvalidCredentialsError();
    }
    if (input.previousToken) {
      await tx('sessions')
        .where({ token_hash: tokenHash(input.previousToken) })
        .update({ revoked_at: now });
    }
    const seen = await tx('login_events')
      .where({ user_id: user.id, outcome: 'success' })
      .where('user_agent', userAgent ?? '')
      .first('id');
    const session = await issueSession(deps, tx, user.id, 'browser', { userAgent, ipHash });
    await tx('login_events').insert({
      id: randomUUID(),
      user_id: user.id,
      outcome: 'success',
      method: 'password',
      ip_hash: ipHash,
      user_agent: userAgent,
      new_device: !seen,
      at: now,
    });
    return { userId: user.id as string, session, newDevice: !seen };
  });
  if (result instanceof VaultError) throw result;
  if (result.newDevice && user) {
    // The alert is best effort: a mail outage must not block signing in.
    await deps.mailer
      .send({
        to: user.email,
        subject: 'New sign-in to your Vaultmark account',
        text: `Your account was signed in from a new device (${userAgentLabel(client?.userAgent)}) at ${now.toISOString()}.\n\nIf this was not you, change your password now: every session will end.`,
      })
      .catch(() => undefined);
  }
  return result;
}

/** Changes the password after checking the current one; ends every session, issues a new one. */
export async function changePassword(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  client?: ClientInfo,
): Promise<IssuedSession> {
  assertPasswordPolicy(input.newPassword);
  const user = await withIdentity(deps.db, (tx) => tx('users').where({ id: userId }).first());
  if (!user || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw new InvalidCredentialsError();
  }
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

/** Issues a bearer token for scripts (shown once). */
export async function createApiToken(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  userId: string,
): Promise<IssuedSession> {
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

/** Hashes a client address with today's salt (for request logs, rate limits, access logs). */
export async function clientIpHash(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  ip: string,
): Promise<string> {
  return withIdentity(deps.db, (tx) => hashIp(tx, ip, deps.clock.now()));
}
