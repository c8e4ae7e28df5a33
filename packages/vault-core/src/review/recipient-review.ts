import { isUuid, type Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { type RecipientClient, requireGrant, withRecipient } from '../shares/recipient-access.js';
import type { ApprovalInput, ReviewApproval, VersionApprovals } from './approval.js';
import type { CommentInput, ReviewComment } from './comment.js';
import { removeComment } from './delete-comment.js';
import { type ReviewActor, rewriteComment } from './edit-comment.js';
import { readApprovals } from './list-approvals.js';
import { readComments } from './list-comments.js';
import { insertComment } from './post-comment.js';
import { insertApproval } from './record-approval.js';
import type { Reviewer } from './reviewer.js';
import { wroteIt } from './reviewer.js';

/** A usable link's tenant, recipient and share (what `withRecipient` hands over). */
type RecipientContext = Parameters<Parameters<typeof withRecipient>[2]>[1];

/** A recipient's own review of a shared track: their threads (with replies) and their decision. */
export interface RecipientReview {
  comments: ReviewComment[];
  approvals: VersionApprovals;
}

/**
 * Runs `fn` for a recipient whose share takes feedback, on a track of that share: the link and
 * its password grant are checked as for listening; a share without the feedback option is
 * `forbidden`; a track outside the share is "not found". The recipient reviews under their
 * share identity (the name the owner gave them).
 */
async function asReviewer<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  trackId: string,
  client: RecipientClient,
  fn: (tx: Tx, ctx: RecipientContext, who: Reviewer, now: Date) => Promise<T>,
): Promise<T> {
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    if (!ctx.share.allow_feedback) throw new ForbiddenError('this share does not take feedback');
    const shared = isUuid(trackId)
      ? await tx('share_tracks')
          .where({ share_id: ctx.share.id, track_id: trackId })
          .first('track_id')
      : undefined;
    if (!shared) throw new NotFoundError('track');
    const who: Reviewer = {
      kind: 'recipient',
      recipientId: ctx.recipient.id,
      name: ctx.recipient.name,
    };
    return fn(tx, ctx, who, now);
  });
}

/** What a recipient said on a shared track (their own threads and decision on the current version). */
export async function recipientReview(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  trackId: string,
  client: RecipientClient = {},
): Promise<RecipientReview> {
  return asReviewer(deps, token, trackId, client, async (tx, _ctx, who) => ({
    comments: await readComments(tx, trackId, who, { onlyThreadsOf: who }),
    approvals: await readApprovals(tx, trackId, who, { only: who }),
  }));
}

/**
 * A recipient comments on a shared track (at a point or over a range of the current version), or
 * replies in one of their own threads. Audited as `review.comment` with their hashed address.
 */
export async function recipientComment(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  trackId: string,
  input: CommentInput,
  client: RecipientClient = {},
): Promise<ReviewComment> {
  return asReviewer(deps, token, trackId, client, async (tx, ctx, who, now) => {
    const by = { tenantId: ctx.tenantId, actorId: null, ipHash: client.ipHash ?? null };
    // Recipients hear the current version only, and reply in their own threads only.
    const current = { ...input, versionId: null };
    const mine = (root: unknown) => wroteIt(root, 'author', who);
    return (await insertComment(tx, deps, now, by, who, trackId, current, mine)).comment;
  });
}

/** A recipient records "approved" or "changes requested" on the current version of a shared track. */
export async function recipientApprove(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  trackId: string,
  input: ApprovalInput,
  client: RecipientClient = {},
): Promise<ReviewApproval> {
  return asReviewer(deps, token, trackId, client, async (tx, ctx, who, now) => {
    const by = { tenantId: ctx.tenantId, actorId: null, ipHash: client.ipHash ?? null };
    const current = { ...input, versionId: null };
    return (await insertApproval(tx, deps, now, by, who, trackId, current)).approval;
  });
}

/**
 * For the recipient's page: whether the share takes feedback and, when it does, the recipient's
 * own review of each shared track. One transaction; nothing is logged (the page view is).
 */
export async function recipientFeedback(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  client: RecipientClient = {},
): Promise<{ allowFeedback: boolean; tracks: Record<string, RecipientReview> }> {
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    if (!ctx.share.allow_feedback) return { allowFeedback: false, tracks: {} };
    const who: Reviewer = {
      kind: 'recipient',
      recipientId: ctx.recipient.id,
      name: ctx.recipient.name,
    };
    const ids: string[] = await tx('share_tracks')
      .where({ share_id: ctx.share.id })
      .pluck('track_id');
    const tracks: Record<string, RecipientReview> = {};
    for (const id of ids) {
      tracks[id] = {
        comments: await readComments(tx, id, who, { onlyThreadsOf: who }),
        approvals: await readApprovals(tx, id, who, { only: who }),
      };
    }
    return { allowFeedback: true, tracks };
  });
}

/** Runs `fn` for a recipient whose share takes feedback, as a reviewer (no track named). */
function asRecipient<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  client: RecipientClient,
  fn: (tx: Tx, by: ReviewActor, who: Reviewer, now: Date) => Promise<T>,
): Promise<T> {
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    if (!ctx.share.allow_feedback) throw new ForbiddenError('this share does not take feedback');
    const who: Reviewer = {
      kind: 'recipient',
      recipientId: ctx.recipient.id,
      name: ctx.recipient.name,
    };
    return fn(
      tx,
      { tenantId: ctx.tenantId, actorId: null, ipHash: client.ipHash ?? null },
      who,
      now,
    );
  });
}

/** A recipient changes the text of one of their comments (another's is "not found"). */
export async function recipientEditComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  commentId: string,
  input: { body: string },
  client: RecipientClient = {},
): Promise<ReviewComment> {
  return asRecipient(deps, token, client, (tx, by, who, now) =>
    rewriteComment(tx, now, by, who, commentId, input),
  );
}

/** A recipient deletes one of their comments (a thread's first takes its replies). */
export async function recipientDeleteComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  commentId: string,
  client: RecipientClient = {},
): Promise<void> {
  await asRecipient(deps, token, client, (tx, by, who, now) =>
    removeComment(tx, now, by, who, commentId),
  );
}
