import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import {
  type CommentInput,
  commentBody,
  type ReviewComment,
  seconds,
  toComment,
} from './comment.js';
import { findMentions, studioMembers } from './mentions.js';
import { type NotifyDeps, notifyComment } from './review-notifications.js';
import { type Reviewer, reviewerColumns } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/** Longest track position a comment may name, in seconds (a day). */
const MAX_SECONDS = 86_400;

/** What {@link insertComment} stored, with what a notification needs. */
export interface PostedComment {
  comment: ReviewComment;
  trackTitle: string;
  /** The track's creator. */
  trackCreatedBy: string | null;
  /** The author of the thread's first comment, when this is a reply. */
  // biome-ignore lint/suspicious/noExplicitAny: database row
  threadRoot: any | null;
}

/**
 * Stores a comment of any reviewer in the caller's tenant transaction and audits it
 * (`review.comment`). A reply joins its thread (one level deep), takes the thread's version and,
 * without a position of its own, the thread's position; `mayReplyTo` says whether this reviewer
 * may reply to a thread (members: any; recipients and guests: their own threads).
 */
export async function insertComment(
  tx: Tx,
  deps: NotifyDeps,
  now: Date,
  ctx: { tenantId: string; actorId: string | null; ipHash: string | null },
  who: Reviewer,
  trackId: string,
  input: CommentInput,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  mayReplyTo: (root: any) => boolean = () => true,
): Promise<PostedComment> {
  if (!input || typeof input !== 'object') throw new ValidationError('comment required');
  const body = commentBody(input.body);
  // biome-ignore lint/suspicious/noExplicitAny: database row
  let root: any = null;
  if (input.parentId != null) {
    const parent = isUuid(input.parentId)
      ? await tx('review_comments').where({ id: input.parentId, track_id: trackId }).first()
      : undefined;
    root = parent?.parent_id
      ? await tx('review_comments').where({ id: parent.parent_id }).first()
      : parent;
    if (!root || !mayReplyTo(root)) throw new NotFoundError('comment');
  }
  const { track, version } = await reviewedVersion(
    tx,
    trackId,
    root ? root.version_id : input.versionId,
  );
  const track_ = await tx('tracks').where({ id: track.id }).first('duration_seconds');
  const max = track_?.duration_seconds != null ? Number(track_.duration_seconds) + 1 : MAX_SECONDS;
  const at =
    input.atSeconds === undefined && root
      ? Number(root.at_seconds)
      : seconds(input.atSeconds, 'atSeconds', max);
  const endGiven =
    input.endSeconds ?? (input.atSeconds === undefined && root ? root.end_seconds : null);
  const end = endGiven == null ? null : seconds(Number(endGiven), 'endSeconds', max);
  if (end !== null && end <= at)
    throw new ValidationError('endSeconds must come after atSeconds', 'endSeconds');
  const members = await studioMembers(tx);
  const mentions = findMentions(body, members.values());
  const id = randomUUID();
  const [row] = await tx('review_comments')
    .insert({
      id,
      tenant_id: ctx.tenantId,
      track_id: track.id,
      version_id: version.id,
      parent_id: root?.id ?? null,
      body,
      at_seconds: at,
      end_seconds: end,
      ...reviewerColumns('author', who),
      mentions,
      created_at: now,
    })
    .returning('*');
  await appendAudit(tx, now, {
    tenantId: ctx.tenantId,
    actorId: ctx.actorId,
    ipHash: ctx.ipHash,
    action: 'review.comment',
    objectType: 'review_comment',
    objectId: id,
    detail: {
      trackId: track.id,
      versionId: version.id,
      by: who.kind,
      ...(root ? { parentId: root.id } : {}),
      ...(mentions.length ? { mentions: mentions.length } : {}),
    },
  });
  const names = new Map([...members].map(([k, m]) => [k, m.name]));
  const comment = toComment(row, version, true, names);
  await notifyComment(tx, deps, ctx.tenantId, {
    comment,
    trackTitle: track.title,
    trackCreatedBy: track.createdBy,
    authorUserId: who.kind === 'member' ? who.userId : null,
    threadAuthorUserId: root?.author_user_id ?? null,
  });
  return {
    comment,
    trackTitle: track.title,
    trackCreatedBy: track.createdBy,
    threadRoot: root,
  };
}

/** The member's own name, as comments show it. */
export async function memberReviewer(tx: Tx, actor: Actor): Promise<Reviewer> {
  const u = await tx('users').where({ id: actor.userId }).first('display_name');
  return { kind: 'member', userId: actor.userId, name: (u?.display_name as string) ?? '' };
}

/**
 * A member comments on a track: at `atSeconds`, or over a range to `endSeconds`, on the given
 * version (default the current one), or replies to a comment (`parentId`). Mentions of studio
 * members (`@Name` or `@email`) are recorded. Audited as `review.comment`.
 */
export async function postComment(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  actor: Actor,
  trackId: string,
  input: CommentInput,
): Promise<ReviewComment> {
  authorize(actor, 'review', 'comment');
  const posted = await withTenant(deps.db, actor.tenantId, async (tx) =>
    insertComment(
      tx,
      deps,
      deps.clock.now(),
      { tenantId: actor.tenantId, actorId: actor.userId, ipHash: actor.ipHash ?? null },
      await memberReviewer(tx, actor),
      trackId,
      input,
    ),
  );
  return posted.comment;
}
