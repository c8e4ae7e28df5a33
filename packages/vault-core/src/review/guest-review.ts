import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import type { MediaSource } from '../media/media-source.js';
import { guestTrackCopy } from '../tenancy/guest-tokens.js';
import type { ApprovalInput, ReviewApproval } from './approval.js';
import type { CommentInput, ReviewComment } from './comment.js';
import { removeComment } from './delete-comment.js';
import { rewriteComment } from './edit-comment.js';
import { withGuest } from './guest-sign-in.js';
import { readApprovals } from './list-approvals.js';
import { readComments } from './list-comments.js';
import { insertComment } from './post-comment.js';
import type { RecipientReview } from './recipient-review.js';
import { insertApproval } from './record-approval.js';
import { type Reviewer, wroteIt } from './reviewer.js';

type Client = { ipHash?: string | null };

/** What a signed-in guest sees: their name and the tracks of their invitation's scope. */
export interface GuestView {
  name: string;
  tracks: Array<{
    id: string;
    title: string;
    artist: string | null;
    durationSeconds: number | null;
  }>;
}

/** The signed-in guest's view (one logged use). */
export async function guestView(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  client: Client = {},
): Promise<GuestView> {
  return withGuest(deps, session, client, async (_tx, g) => ({
    name: g.name,
    tracks: g.access.tracks,
  }));
}

/** Runs `fn` for a signed-in guest on a track of their scope (else "not found"), as a reviewer. */
function asGuest<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  trackId: string,
  client: Client,
  fn: (
    tx: Tx,
    ctx: { tenantId: string; actorId: null; ipHash: string | null },
    who: Reviewer,
    now: Date,
  ) => Promise<T>,
): Promise<T> {
  return withGuest(deps, session, client, async (tx, g, now) => {
    if (!g.access.tracks.some((t) => t.id === trackId)) throw new NotFoundError('track');
    const who: Reviewer = { kind: 'guest', guestTokenId: g.access.guestTokenId, name: g.name };
    const ctx = { tenantId: g.access.tenantId, actorId: null, ipHash: client.ipHash ?? null };
    return fn(tx, ctx, who, now);
  });
}

/** What the guest said on a track of their scope: their threads (with replies) and decision. */
export async function guestReview(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  trackId: string,
  client: Client = {},
): Promise<RecipientReview> {
  return asGuest(deps, session, trackId, client, async (tx, _ctx, who) => ({
    comments: await readComments(tx, trackId, who, { onlyThreadsOf: who }),
    approvals: await readApprovals(tx, trackId, who, { only: who }),
  }));
}

/** A guest comments on the current version of a track of their scope, or replies in their own thread. */
export async function guestComment(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  session: string,
  trackId: string,
  input: CommentInput,
  client: Client = {},
): Promise<ReviewComment> {
  return asGuest(deps, session, trackId, client, async (tx, ctx, who, now) => {
    const mine = (root: unknown) => wroteIt(root, 'author', who);
    const current = { ...input, versionId: null };
    return (await insertComment(tx, deps, now, ctx, who, trackId, current, mine)).comment;
  });
}

/** A guest records "approved" or "changes requested" on the current version of a track of their scope. */
export async function guestApprove(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  session: string,
  trackId: string,
  input: ApprovalInput,
  client: Client = {},
): Promise<ReviewApproval> {
  return asGuest(deps, session, trackId, client, async (tx, ctx, who, now) => {
    const current = { ...input, versionId: null };
    return (await insertApproval(tx, deps, now, ctx, who, trackId, current)).approval;
  });
}

/** The guest's own marked copy of a track of their scope (a WAV with their payload; audited). */
export async function guestAudio(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  session: string,
  trackId: string,
  client: Client = {},
): Promise<{ media: MediaSource; fileName: string }> {
  const access = await withGuest(deps, session, client, async (_tx, g) => g.access);
  return guestTrackCopy(deps, access, trackId, client);
}

/**
 * Waveform peaks of a track of the guest's scope (those the analysis stored for the current
 * version), or `null` while there are none. One logged use, like every guest request.
 */
export async function guestPeaks(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  trackId: string,
  client: Client = {},
): Promise<Record<string, unknown> | null> {
  return withGuest(deps, session, client, async (tx, g) => {
    if (!g.access.tracks.some((t) => t.id === trackId)) throw new NotFoundError('track');
    const row = await tx('track_analyses')
      .join('tracks', 'tracks.id', 'track_analyses.track_id')
      .where({ 'tracks.id': trackId })
      .whereRaw('track_analyses.version = tracks.current_version')
      .first('track_analyses.peaks');
    return (row?.peaks as Record<string, unknown> | undefined) ?? null;
  });
}

/** A guest changes the text of one of their comments (another's is "not found"). */
export async function guestEditComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  commentId: string,
  input: { body: string },
  client: Client = {},
): Promise<ReviewComment> {
  return withGuest(deps, session, client, (tx, g, now) =>
    rewriteComment(
      tx,
      now,
      { tenantId: g.access.tenantId, actorId: null, ipHash: client.ipHash ?? null },
      { kind: 'guest', guestTokenId: g.access.guestTokenId, name: g.name },
      commentId,
      input,
    ),
  );
}

/** A guest deletes one of their comments (a thread's first takes its replies). */
export async function guestDeleteComment(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  commentId: string,
  client: Client = {},
): Promise<void> {
  await withGuest(deps, session, client, (tx, g, now) =>
    removeComment(
      tx,
      now,
      { tenantId: g.access.tenantId, actorId: null, ipHash: client.ipHash ?? null },
      { kind: 'guest', guestTokenId: g.access.guestTokenId, name: g.name },
      commentId,
    ),
  );
}
