import { isUuid, type Tx } from '../db/transactions.js';
import { NotFoundError, ValidationError } from '../errors.js';

/** A version of a track as review shows it. */
export interface ReviewVersion {
  id: string;
  /** The version number (1, 2, ...), the label shown beside older comments. */
  number: number;
  /** Whether it is the track's current version. */
  current: boolean;
}

/**
 * The track (of the transaction's tenant) and the version a comment or decision is about: the
 * one named, which must belong to the track, else the current one. An unknown track, or another
 * tenant's, is "not found"; a track with no stored version yet cannot be reviewed.
 */
export async function reviewedVersion(
  tx: Tx,
  trackId: unknown,
  versionId?: unknown,
): Promise<{
  track: { id: string; createdBy: string | null; title: string };
  version: ReviewVersion;
}> {
  const track = isUuid(trackId)
    ? await tx('tracks')
        .where({ id: trackId })
        .first('id', 'created_by', 'title', 'current_version')
    : undefined;
  if (!track) throw new NotFoundError('track');
  let q = tx('track_versions').where({ track_id: track.id });
  if (versionId !== undefined && versionId !== null) {
    if (!isUuid(versionId)) throw new ValidationError('unknown version', 'versionId');
    q = q.where({ id: versionId });
  } else {
    q = q.where({ version: track.current_version });
  }
  const v = await q.first('id', 'version');
  if (!v) {
    if (versionId != null) throw new ValidationError('unknown version', 'versionId');
    throw new NotFoundError('track version');
  }
  return {
    track: { id: track.id, createdBy: track.created_by ?? null, title: track.title },
    version: {
      id: v.id,
      number: Number(v.version),
      current: Number(v.version) === Number(track.current_version),
    },
  };
}
