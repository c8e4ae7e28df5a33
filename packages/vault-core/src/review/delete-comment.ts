import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { wroteIt } from './reviewer.js';

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
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = isUuid(commentId)
      ? await tx('review_comments').where({ id: commentId }).forUpdate().first()
      : undefined;
    if (!row) throw new NotFoundError('comment');
    if (!wroteIt(row, 'author', { kind: 'member', userId: actor.userId, name: '' })) {
      throw new ForbiddenError('only its author may delete a comment');
    }
    await tx('review_comments').where({ id: row.id }).del();
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'review.comment_delete',
      objectType: 'review_comment',
      objectId: row.id,
      detail: { trackId: row.track_id },
    });
  });
}
