import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { commentBody, type ReviewComment, toComment } from './comment.js';
import { findMentions, studioMembers } from './mentions.js';
import { wroteIt } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/**
 * Changes the text of a comment, by its author only (mentions are found again). Another
 * tenant's comment is "not found"; someone else's is `forbidden`. Audited as `review.comment_edit`.
 */
export async function editComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  commentId: string,
  input: { body: string },
): Promise<ReviewComment> {
  authorize(actor, 'review', 'comment');
  const body = commentBody(input?.body);
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = isUuid(commentId)
      ? await tx('review_comments').where({ id: commentId }).forUpdate().first()
      : undefined;
    if (!row) throw new NotFoundError('comment');
    const me = { kind: 'member' as const, userId: actor.userId, name: '' };
    if (!wroteIt(row, 'author', me)) throw new ForbiddenError('only its author may edit a comment');
    const now = deps.clock.now();
    const members = await studioMembers(tx);
    const [updated] = await tx('review_comments')
      .where({ id: row.id })
      .update({ body, mentions: findMentions(body, members.values()), edited_at: now })
      .returning('*');
    await appendActorAudit(tx, now, actor, {
      action: 'review.comment_edit',
      objectType: 'review_comment',
      objectId: row.id,
      detail: { trackId: row.track_id },
    });
    const { version } = await reviewedVersion(tx, row.track_id, row.version_id);
    return toComment(updated, version, true, new Map([...members].map(([k, m]) => [k, m.name])));
  });
}
