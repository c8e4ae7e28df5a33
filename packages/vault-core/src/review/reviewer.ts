/**
 * Who writes a comment or records a decision: a studio member (signed in), a guest (signed in by
 * an invitation's link and emailed code) or a share recipient (by their link, when the share
 * allows feedback). The name is kept with what they wrote, as it was when they wrote it.
 */
export type Reviewer =
  | { kind: 'member'; userId: string; name: string }
  | { kind: 'guest'; guestTokenId: string; name: string }
  | { kind: 'recipient'; recipientId: string; name: string };

/** The columns naming a reviewer, with the given prefix (`author` or `reviewer`). */
export function reviewerColumns(prefix: 'author' | 'reviewer', who: Reviewer) {
  return {
    [`${prefix}_kind`]: who.kind,
    [`${prefix}_user_id`]: who.kind === 'member' ? who.userId : null,
    [`${prefix}_recipient_id`]: who.kind === 'recipient' ? who.recipientId : null,
    [`${prefix}_guest_id`]: who.kind === 'guest' ? who.guestTokenId : null,
    [`${prefix}_name`]: who.name.slice(0, 200),
  };
}

/** A stable key of a reviewer (one approval per reviewer and version). */
export function reviewerKey(who: Reviewer): string {
  if (who.kind === 'member') return `member:${who.userId}`;
  if (who.kind === 'guest') return `guest:${who.guestTokenId}`;
  return `recipient:${who.recipientId}`;
}

/** Whether a stored row (with `prefix` columns) was written by this reviewer. */
// biome-ignore lint/suspicious/noExplicitAny: database row
export function wroteIt(row: any, prefix: 'author' | 'reviewer', who: Reviewer): boolean {
  if (row[`${prefix}_kind`] !== who.kind) return false;
  if (who.kind === 'member') return row[`${prefix}_user_id`] === who.userId;
  if (who.kind === 'guest') return row[`${prefix}_guest_id`] === who.guestTokenId;
  return row[`${prefix}_recipient_id`] === who.recipientId;
}
