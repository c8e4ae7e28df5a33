import { appendAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { type Actor, authorize } from '../policies.js';
import { ownComment, type ReviewActor } from './edit-comment.js';
import type { Reviewer } from './reviewer.js';

/**
 * Deletes a comment of `who` in the caller's tenant transaction; a thread's first comment takes
 * its replies. Audited as `review.comment_delete`.
 */
export async function removeComment(
  tx: Tx,
  now: Date,
  by: ReviewActor,
  who: Reviewer,
  commentId: string,
): Promise<void> {
  const row = await ownComment(tx, who, commentId);
  await tx('review_comments').where({ id: row.id }).del();
  await appendAudit(tx, now, {
    ...by,
    action: 'review.comment_delete',
    objectType: 'review_comment',
    objectId: row.id,
    detail: { trackId: row.track_id, by: who.kind },
  });
}

/**
 * Deletes a comment, by its author only; deleting a thread's first comment deletes its replies.
 * Another tenant's comment is "not found"; someone else's is `forbidden`. Audited as
 * `review.comment_delete`.
 */
export async function deleteComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  commentId: string,
): Promise<void> {
  authorize(actor, 'review', 'comment');
  await withTenant(deps.db, actor.tenantId, (tx) =>
    removeComment(
      tx,
      deps.clock.now(),
      { tenantId: actor.tenantId, actorId: actor.userId, ipHash: actor.ipHash ?? null },
      { kind: 'member', userId: actor.userId, name: '' },
      commentId,
    ),
  );
}
