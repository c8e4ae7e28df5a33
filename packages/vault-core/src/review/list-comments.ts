import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { type ReviewComment, toComment } from './comment.js';
import { studioMembers } from './mentions.js';
import { type Reviewer, wroteIt } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/**
 * The comments of a track in the caller's tenant transaction, as threads (a thread's first
 * comment with its replies, oldest first), threads ordered by position. With `versionId`, only
 * that version's; else every version's, each labelled with its version (older ones are shown
 * greyed). `onlyThreadsOf` keeps the threads a recipient or guest started (what they may see).
 */
export async function readComments(
  tx: Tx,
  trackId: string,
  who: Reviewer,
  options: { versionId?: string | null; onlyThreadsOf?: Reviewer } = {},
): Promise<ReviewComment[]> {
  const { track } = await reviewedVersion(tx, trackId, options.versionId ?? undefined);
  const versions = await tx('track_versions')
    .join('tracks', 'tracks.id', 'track_versions.track_id')
    .where({ 'tracks.id': track.id })
    .select('track_versions.id', 'track_versions.version', 'tracks.current_version');
  const byId = new Map(
    versions.map((v) => [
      v.id as string,
      {
        id: v.id as string,
        number: Number(v.version),
        current: Number(v.version) === Number(v.current_version),
      },
    ]),
  );
  let q = tx('review_comments').where({ track_id: track.id });
  if (options.versionId != null) q = q.where({ version_id: options.versionId });
  const rows = await q.orderBy('created_at').orderBy('id');
  const names = new Map([...(await studioMembers(tx))].map(([k, m]) => [k, m.name]));
  const threads = new Map<string, ReviewComment>();
  const replies: ReviewComment[] = [];
  for (const r of rows) {
    const version = byId.get(r.version_id);
    if (!version) continue;
    const c = toComment(r, version, wroteIt(r, 'author', who), names);
    if (r.parent_id) replies.push(c);
    else if (!options.onlyThreadsOf || wroteIt(r, 'author', options.onlyThreadsOf)) {
      threads.set(c.id, c);
    }
  }
  for (const c of replies) threads.get(c.parentId as string)?.replies.push(c);
  return [...threads.values()].sort(
    (a, b) =>
      Number(b.version.current) - Number(a.version.current) ||
      b.version.number - a.version.number ||
      a.atSeconds - b.atSeconds ||
      a.createdAt.getTime() - b.createdAt.getTime(),
  );
}

/**
 * A track's comments as threads (members): all versions, each comment labelled with its version
 * (current first), or one version's with `versionId`. Another tenant's track is "not found".
 */
export async function listComments(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
  options: { versionId?: string | null } = {},
): Promise<ReviewComment[]> {
  authorize(actor, 'review', 'read');
  if (options.versionId != null && !isUuid(options.versionId)) {
    throw new ValidationError('unknown version', 'versionId');
  }
  return withTenant(deps.db, actor.tenantId, (tx) =>
    readComments(tx, trackId, { kind: 'member', userId: actor.userId, name: '' }, options),
  );
}
