import { randomUUID } from 'node:crypto';
import { newToken, tokenHash } from '../crypto/access-token.js';
import type { Tx } from '../db/transactions.js';
import { withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, SessionInvalidError } from '../errors.js';

/** Kind of session: a browser cookie or a bearer token for scripts. */
export type SessionKind = 'browser' | 'api';

/** A session as listed to its user (never the token or its hash). */
export interface SessionInfo {
  id: string;
  kind: SessionKind;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
}

/** A freshly issued token: returned once, stored only as a hash. */
export interface IssuedSession {
  sessionId: string;
  token: string;
  expiresAt: Date;
}

/** Result of authenticating a token. */
export interface Authenticated {
  userId: string;
  sessionId: string;
  kind: SessionKind;
}

/** Issues a session inside the caller's transaction. */
export async function issueSession(
  deps: Pick<VaultDeps, 'clock' | 'sessions'>,
  tx: Tx,
  userId: string,
  kind: SessionKind,
  meta: { userAgent?: string | null; ipHash?: string | null } = {},
): Promise<IssuedSession> {
  const now = deps.clock.now();
  const token = newToken();
  const id = randomUUID();
  const ttl = kind === 'api' ? deps.sessions.apiTokenMs : deps.sessions.absoluteMs;
  const expiresAt = new Date(now.getTime() + ttl);
  await tx('sessions').insert({
    id,
    user_id: userId,
    token_hash: tokenHash(token),
    kind,
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
    ip_hash: meta.ipHash ?? null,
    created_at: now,
    last_seen_at: now,
    expires_at: expiresAt,
  });
  return { sessionId: id, token, expiresAt };
}

/**
 * Resolves a token to its user. Unknown, revoked, idle-expired and absolutely-expired tokens all
 * fail with the same {@link SessionInvalidError}. Refreshes `last_seen_at` at most once a minute.
 */
export async function authenticate(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'sessions'>,
  token: string,
): Promise<Authenticated> {
  if (typeof token !== 'string' || token.length > 200) throw new SessionInvalidError();
  const now = deps.clock.now();
  return withIdentity(deps.db, async (tx) => {
    const s = await tx('sessions')
      .join('users', 'users.id', 'sessions.user_id')
      .where({ token_hash: tokenHash(token) })
      .whereNull('sessions.revoked_at')
      .whereNull('users.deleted_at')
      .first('sessions.*');
    if (!s) throw new SessionInvalidError();
    const lastSeen = new Date(s.last_seen_at).getTime();
    if (new Date(s.expires_at).getTime() <= now.getTime()) throw new SessionInvalidError();
    if (s.kind === 'browser' && lastSeen + deps.sessions.idleMs <= now.getTime()) {
      throw new SessionInvalidError();
    }
    if (now.getTime() - lastSeen > 60_000) {
      await tx('sessions').where({ id: s.id }).update({ last_seen_at: now });
    }
    return { userId: s.user_id, sessionId: s.id, kind: s.kind };
  });
}

/** Lists a user's live sessions, newest first. */
export async function listSessions(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
): Promise<SessionInfo[]> {
  const rows = await withIdentity(deps.db, (tx) =>
    tx('sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .where('expires_at', '>', deps.clock.now())
      .orderBy('created_at', 'desc'),
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(r.last_seen_at),
    expiresAt: new Date(r.expires_at),
    userAgent: r.user_agent,
  }));
}

/** Revokes one of the user's own sessions (another user's session id is "not found"). */
export async function revokeSession(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
  sessionId: string,
): Promise<void> {
  const n = await withIdentity(deps.db, (tx) =>
    tx('sessions')
      .where({ id: sessionId, user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: deps.clock.now() })
      .returning('id'),
  );
  if (n.length === 0) throw new NotFoundError('session');
}

/** Revokes every session of a user (password or 2FA change, account deletion). */
export async function revokeAllSessions(tx: Tx, userId: string, at: Date): Promise<void> {
  await tx('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: at });
}

/** Ends the session a token belongs to; unknown tokens are ignored. */
export async function signOut(deps: Pick<VaultDeps, 'db' | 'clock'>, token: string): Promise<void> {
  await withIdentity(deps.db, (tx) =>
    tx('sessions')
      .where({ token_hash: tokenHash(token) })
      .whereNull('revoked_at')
      .update({ revoked_at: deps.clock.now() }),
  );
}
