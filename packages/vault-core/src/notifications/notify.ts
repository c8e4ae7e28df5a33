import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { isNotificationKind, NOTIFICATION_KINDS, type NotificationKindName } from './kinds.js';

/** Longest summary kept (characters); longer ones are cut with an ellipsis. */
export const SUMMARY_MAX = 300;

/** One event to tell members about. */
export interface NotifyInput {
  /** The organization the event belongs to (the transaction's tenant). */
  tenantId: string;
  /** Users to tell; non-members, deleted users and duplicates are skipped. */
  userIds: ReadonlyArray<string | null | undefined>;
  kind: NotificationKindName;
  /** Ids of what the event is about (`shareId`, `recipientId`, `trackId`, ...): ids only. */
  subject: Record<string, string>;
  /** One line for the reader, e.g. `Rita Lee opened "Demos"`. */
  summary: string;
}

/** What {@link notify} did: feed rows written and emails queued for after the commit. */
export interface NotifyResult {
  inApp: number;
  emails: number;
}

/**
 * Tells members about an event, inside the caller's tenant transaction `tx` (so a rolled-back
 * use-case notifies nobody): one query reads the users' addresses and their settings for the
 * kind (members of the organization only), one insert writes the feed rows of those who did not
 * mute the feed. Emails, for those who did not mute them, are sent through the mailer port only
 * once the transaction has committed, and never delay or fail the caller (a mail error is
 * reported to `onMailError`, by default the console). See `./kinds.ts` for adding a kind.
 */
export async function notify(
  tx: Tx,
  deps: Pick<VaultDeps, 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  input: NotifyInput,
  onMailError: (error: unknown) => void = (e) =>
    console.error('notification email failed:', (e as Error)?.message ?? e),
): Promise<NotifyResult> {
  if (!isNotificationKind(input.kind)) throw new Error(`unknown notification kind ${input.kind}`);
  const userIds = [...new Set(input.userIds.filter((u): u is string => typeof u === 'string'))];
  if (userIds.length === 0) return { inApp: 0, emails: 0 };
  const kind = NOTIFICATION_KINDS[input.kind];
  const rows = (
    await tx.raw(
      `SELECT u.id, u.email, s.email AS mail_on, s.in_app AS feed_on
       FROM users u
       JOIN memberships m ON m.user_id = u.id AND m.tenant_id = ?
       LEFT JOIN notification_settings s
         ON s.tenant_id = m.tenant_id AND s.user_id = u.id AND s.kind = ?
       WHERE u.id = ANY(?::uuid[]) AND u.deleted_at IS NULL`,
      [input.tenantId, input.kind, userIds],
    )
  ).rows as Array<{ id: string; email: string; mail_on: boolean | null; feed_on: boolean | null }>;
  const now = deps.clock.now();
  const summary =
    input.summary.length > SUMMARY_MAX
      ? `${input.summary.slice(0, SUMMARY_MAX - 1)}…`
      : input.summary;
  const feed = rows.filter((r) => r.feed_on ?? kind.defaults.inApp);
  if (feed.length > 0) {
    await tx('notifications').insert(
      feed.map((r) => ({
        id: randomUUID(),
        tenant_id: input.tenantId,
        user_id: r.id,
        kind: input.kind,
        subject: JSON.stringify(input.subject),
        summary,
        created_at: now,
      })),
    );
  }
  const mail = deps.mailer;
  const to = mail ? rows.filter((r) => r.mail_on ?? kind.defaults.email) : [];
  if (mail && to.length > 0) {
    const text = `${summary}\n\nOpen Vaultmark to see your notifications. You can mute this kind of email on your account page.\n`;
    // After the commit only: a rolled-back transaction rejects, and nothing is sent.
    tx.executionPromise.then(
      () =>
        Promise.all(
          to.map((r) =>
            mail
              .send({ to: r.email, subject: kind.emailSubject(summary), text })
              .catch(onMailError),
          ),
        ),
      () => undefined,
    );
  }
  return { inApp: feed.length, emails: to.length };
}
