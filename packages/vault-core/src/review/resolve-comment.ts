import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { type ReviewComment, toComment } from './comment.js';
import { studioMembers } from './mentions.js';
import { wroteIt } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/**
 * Resolves (`resolved: true`) or reopens a thread, by the track's creator or an admin or owner.
 * A reply resolves its whole thread. Another tenant's comment is "not found". Audited as
 * `review.comment_resolve` or `review.comment_reopen`.
 */
export async function resolveComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  commentId: string,
  resolved = true,
): Promise<ReviewComment> {
  if (typeof resolved !== 'boolean')
    throw new ValidationError('resolved must be true or false', 'resolved');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const found = isUuid(commentId)
      ? await tx('review_comments').where({ id: commentId }).first()
      : undefined;
    if (!found) throw new NotFoundError('comment');
    const rootId = found.parent_id ?? found.id;
    const { track, version } = await reviewedVersion(tx, found.track_id, found.version_id);
    authorize(actor, 'review', 'resolve', { tenantId: actor.tenantId, createdBy: track.createdBy });
    const now = deps.clock.now();
    const [row] = await tx('review_comments')
      .where({ id: rootId })
      .update({ resolved_at: resolved ? now : null, resolved_by: resolved ? actor.userId : null })
      .returning('*');
    await appendActorAudit(tx, now, actor, {
      action: resolved ? 'review.comment_resolve' : 'review.comment_reopen',
      objectType: 'review_comment',
      objectId: rootId,
      detail: { trackId: track.id },
    });
    const names = new Map([...(await studioMembers(tx))].map(([k, m]) => [k, m.name]));
    return toComment(
      row,
      version,
      wroteIt(row, 'author', { kind: 'member', userId: actor.userId, name: '' }),
      names,
    );
  });
}
