import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { notify } from '../notifications/notify.js';
import type { ReviewApproval } from './approval.js';
import type { ReviewComment } from './comment.js';

/** The ports notifications use: the clock, and the mailer when there is one. */
export type NotifyDeps = Pick<VaultDeps, 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>;

/** `m:ss` of a position in seconds. */
function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function where(c: ReviewComment): string {
  return c.endSeconds === null
    ? `at ${clock(c.atSeconds)}`
    : `at ${clock(c.atSeconds)}–${clock(c.endSeconds)}`;
}

/**
 * Tells members about a new comment, in its transaction: those it mentions (`review.mention`);
 * for a reply, the thread's author when a member, and the track's creator (`review.reply`);
 * for a thread's first comment, the track's creator (`review.comment`). Nobody hears of their
 * own comment, and nobody twice.
 */
export async function notifyComment(
  tx: Tx,
  deps: NotifyDeps,
  tenantId: string,
  event: {
    comment: ReviewComment;
    trackTitle: string;
    trackCreatedBy: string | null;
    authorUserId: string | null;
    threadAuthorUserId: string | null;
  },
): Promise<void> {
  const { comment: c, trackTitle } = event;
  const subject = { trackId: c.trackId, commentId: c.id };
  const told = new Set<string>(event.authorUserId ? [event.authorUserId] : []);
  const fresh = (ids: Array<string | null>): string[] => {
    const out: string[] = [];
    for (const id of ids) {
      if (id !== null && !told.has(id)) {
        told.add(id);
        out.push(id);
      }
    }
    return out;
  };
  const who = c.author.name || 'Someone';
  const mentioned = fresh(c.mentions.map((m) => m.userId));
  if (mentioned.length > 0) {
    await notify(tx, deps, {
      tenantId,
      userIds: mentioned,
      kind: 'review.mention',
      subject,
      summary: `${who} mentioned you on "${trackTitle}" ${where(c)}: ${c.body}`,
    });
  }
  const reply = c.parentId !== null;
  const others = fresh(
    reply ? [event.threadAuthorUserId, event.trackCreatedBy] : [event.trackCreatedBy],
  );
  if (others.length > 0) {
    await notify(tx, deps, {
      tenantId,
      userIds: others,
      kind: reply ? 'review.reply' : 'review.comment',
      subject,
      summary: `${who} ${reply ? 'replied' : 'commented'} on "${trackTitle}" ${where(c)}: ${c.body}`,
    });
  }
}

/** Tells the track's creator about a decision (`review.approval`), unless they made it. */
export async function notifyApproval(
  tx: Tx,
  deps: NotifyDeps,
  tenantId: string,
  event: {
    approval: ReviewApproval;
    trackTitle: string;
    trackCreatedBy: string | null;
    reviewerUserId: string | null;
  },
): Promise<void> {
  const { approval: a } = event;
  if (!event.trackCreatedBy || event.trackCreatedBy === event.reviewerUserId) return;
  const what =
    a.decision === 'approved'
      ? `approved "${event.trackTitle}"`
      : `asked for changes on "${event.trackTitle}"`;
  await notify(tx, deps, {
    tenantId,
    userIds: [event.trackCreatedBy],
    kind: 'review.approval',
    subject: { trackId: a.trackId, approvalId: a.id },
    summary: `${a.reviewer.name || 'Someone'} ${what} (version ${a.version.number})${a.note ? `: ${a.note}` : ''}`,
  });
}
