import { appendAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { commentBody, type ReviewComment, toComment } from './comment.js';
import { findMentions, studioMembers } from './mentions.js';
import { type Reviewer, wroteIt } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/** Who acts, for the audit event. */
export interface ReviewActor {
  tenantId: string;
  actorId: string | null;
  ipHash: string | null;
}

/**
 * The comment `commentId` of the transaction's tenant, locked, if `who` wrote it. Someone
 * else's is `forbidden` for a member (who sees every comment) and "not found" for a recipient
 * or a guest (who see only their own threads).
 */
// biome-ignore lint/suspicious/noExplicitAny: database row
export async function ownComment(tx: Tx, who: Reviewer, commentId: unknown): Promise<any> {
  const row = isUuid(commentId)
    ? await tx('review_comments').where({ id: commentId }).forUpdate().first()
    : undefined;
  if (!row) throw new NotFoundError('comment');
  if (!wroteIt(row, 'author', who)) {
    if (who.kind !== 'member') throw new NotFoundError('comment');
    throw new ForbiddenError('only its author may change a comment');
  }
  return row;
}

/**
 * Changes the text of a comment of `who` in the caller's tenant transaction (mentions are found
 * again). Audited as `review.comment_edit`.
 */
export async function rewriteComment(
  tx: Tx,
  now: Date,
  by: ReviewActor,
  who: Reviewer,
  commentId: string,
  input: { body: string },
): Promise<ReviewComment> {
  const body = commentBody(input?.body);
  const row = await ownComment(tx, who, commentId);
  const members = await studioMembers(tx);
  const [updated] = await tx('review_comments')
    .where({ id: row.id })
    .update({ body, mentions: findMentions(body, members.values()), edited_at: now })
    .returning('*');
  await appendAudit(tx, now, {
    ...by,
    action: 'review.comment_edit',
    objectType: 'review_comment',
    objectId: row.id,
    detail: { trackId: row.track_id, by: who.kind },
  });
  const { version } = await reviewedVersion(tx, row.track_id, row.version_id);
  return toComment(updated, version, true, new Map([...members].map(([k, m]) => [k, m.name])));
}

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
  return withTenant(deps.db, actor.tenantId, (tx) =>
    rewriteComment(
      tx,
      deps.clock.now(),
      { tenantId: actor.tenantId, actorId: actor.userId, ipHash: actor.ipHash ?? null },
      { kind: 'member', userId: actor.userId, name: '' },
      commentId,
      input,
    ),
  );
}
