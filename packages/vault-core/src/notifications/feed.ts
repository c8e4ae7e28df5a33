import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/** One entry of a member's feed. */
export interface Notification {
  id: string;
  kind: string;
  /** Ids of what it is about (`shareId`, `recipientId`, `trackId`, ...). */
  subject: Record<string, string>;
  summary: string;
  createdAt: Date;
  readAt: Date | null;
}

/** A page of the feed, newest first, with the member's unread count in this organization. */
export interface NotificationPage {
  items: Notification[];
  unread: number;
  /** Pass as `before` for the next (older) page; `null` at the end. */
  nextBefore: string | null;
}

/** Options of {@link listNotifications}. */
export interface ListNotificationsInput {
  /** Only unread entries. */
  unreadOnly?: boolean;
  /** Page size, 1 to 100 (default 30). */
  limit?: number;
  /** An entry id: return entries older than it (from `nextBefore`). */
  before?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toNotification(r: any): Notification {
  return {
    id: r.id,
    kind: r.kind,
    subject: typeof r.subject === 'string' ? JSON.parse(r.subject) : (r.subject ?? {}),
    summary: r.summary,
    createdAt: new Date(r.created_at),
    readAt: r.read_at ? new Date(r.read_at) : null,
  };
}

async function unreadCount(tx: Tx, actor: Actor): Promise<number> {
  const row = await tx('notifications')
    .where({ tenant_id: actor.tenantId, user_id: actor.userId })
    .whereNull('read_at')
    .count<{ n: string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** The actor's unread count in their organization (for a badge: one indexed count). */
export async function countUnreadNotifications(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<number> {
  authorize(actor, 'notification', 'read');
  return withTenant(deps.db, actor.tenantId, (tx) => unreadCount(tx, actor));
}

/** The actor's own feed in their organization, newest first. */
export async function listNotifications(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  input: ListNotificationsInput = {},
): Promise<NotificationPage> {
  authorize(actor, 'notification', 'read');
  const limit = input.limit ?? 30;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ValidationError('limit must be 1 to 100', 'limit');
  }
  if (input.before !== undefined && !isUuid(input.before)) {
    throw new ValidationError('before must be a notification id', 'before');
  }
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const q = tx('notifications')
      .where({ tenant_id: actor.tenantId, user_id: actor.userId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1)
      .select('id', 'kind', 'subject', 'summary', 'created_at', 'read_at');
    if (input.unreadOnly) q.whereNull('read_at');
    if (input.before) {
      const anchor = await tx('notifications')
        .where({ id: input.before, user_id: actor.userId })
        .first('created_at', 'id');
      if (anchor) {
        q.whereRaw('(created_at, id) < (?, ?)', [anchor.created_at, anchor.id]);
      }
    }
    const rows = await q;
    const items = rows.slice(0, limit).map(toNotification);
    return {
      items,
      unread: await unreadCount(tx, actor),
      nextBefore: rows.length > limit ? (items.at(-1)?.id ?? null) : null,
    };
  });
}

/**
 * Marks the actor's own entries read: the given ids (others' and unknown ids are ignored), or
 * all of them. Not audited: a read mark is the member's own view of their feed, not a change to
 * the organization's data. Returns the unread count left.
 */
export async function markNotificationsRead(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  input: { ids: string[] } | { all: true },
): Promise<{ unread: number }> {
  authorize(actor, 'notification', 'read');
  const all = (input as { all?: unknown })?.all === true;
  const ids = (input as { ids?: unknown })?.ids;
  if (!all) {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 500 || !ids.every(isUuid)) {
      throw new ValidationError('ids must be 1 to 500 notification ids, or all: true', 'ids');
    }
  }
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const q = tx('notifications')
      .where({ tenant_id: actor.tenantId, user_id: actor.userId })
      .whereNull('read_at');
    if (!all) q.whereIn('id', ids as string[]);
    await q.update({ read_at: deps.clock.now() });
    return { unread: await unreadCount(tx, actor) };
  });
}

/**
 * The notification records of an organization for its export (every member's feed and
 * settings), or of one user when `userId` is given (their own, in an account export).
 */
export async function notificationRecords(tx: Tx, userId?: string) {
  const feed = tx('notifications').select(
    'id',
    'user_id',
    'kind',
    'subject',
    'summary',
    'created_at',
    'read_at',
  );
  const settings = tx('notification_settings').select(
    'user_id',
    'kind',
    'email',
    'in_app',
    'updated_at',
  );
  if (userId) {
    feed.where({ user_id: userId });
    settings.where({ user_id: userId });
  }
  return { notifications: await feed.orderBy('created_at'), notificationSettings: await settings };
}
