import { appendActorAudit } from '../audit/audit-log.js';
import { deleteTrack, getTrack, type Track } from '../catalog/tracks.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { enqueueJob } from '../jobs/job-queue.js';
import { eraseObjectKey } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';

/** What the analysis job keeps beside the catalog fields (in `track_analyses`). */
export interface AnalysisDetails {
  camelot: string | null;
  bpmConfidence: number;
  keyConfidence: number;
  loudnessLufs: number | null;
  loudnessRangeLu: number;
  truePeakDbtp: number | null;
  sampleRate: number;
  channels: number;
}

/** The analysis job's result: details and the waveform peaks in audiowaveform JSON. */
export interface AnalysisOutput {
  details: AnalysisDetails;
  peaks: Record<string, unknown>;
}

/** One separated stem, stored as an encrypted derived object of the track's tenant. */
export interface StoredStem {
  name: string;
  objectId: string;
  sizeBytes: number;
}

/** The state of a track's stem separation. */
export interface StemsState {
  status: 'none' | 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  error?: string;
  stems: StoredStem[];
}

/**
 * Analysis details of tracks at their current versions. Tracks without finished analysis are
 * absent.
 */
export async function analysisDetails(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  tracks: readonly Pick<Track, 'id' | 'version'>[],
): Promise<Map<string, AnalysisDetails>> {
  authorize(actor, 'track', 'read');
  const out = new Map<string, AnalysisDetails>();
  if (tracks.length === 0) return out;
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('track_analyses')
      .whereIn(
        ['track_id', 'version'],
        tracks.map((t) => [t.id, t.version]),
      )
      .select('track_id', 'details'),
  );
  for (const row of rows) out.set(row.track_id, row.details);
  return out;
}

/** Waveform peaks of a track's current version; `null` while the analysis runs. */
export async function trackPeaks(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
): Promise<Record<string, unknown> | null> {
  const track = await getTrack(deps, actor, trackId);
  const row = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('track_analyses').where({ track_id: track.id, version: track.version }).first('peaks'),
  );
  return (row?.peaks as Record<string, unknown> | undefined) ?? null;
}

/** The stem separation of a track's current version: its state and, when done, the stems. */
export async function trackStems(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
): Promise<StemsState> {
  const track = await getTrack(deps, actor, trackId);
  const { job, stems } = await withTenant(deps.db, actor.tenantId, async (tx) => ({
    job: await tx('jobs')
      .where({ queue: 'stems', idempotency_key: `${track.id}:${track.version}` })
      .first('state', 'progress', 'result'),
    stems: await tx('track_stems')
      .where({ track_id: track.id, version: track.version })
      .orderBy('name')
      .select('name', 'object_id', 'size_bytes'),
  }));
  if (!job) return { status: 'none', progress: 0, stems: [] };
  const failed = (job.result as { error?: { message: string } } | null)?.error;
  return {
    status: failed ? 'failed' : job.state,
    progress: Number(job.progress),
    ...(failed ? { error: failed.message } : {}),
    stems:
      job.state === 'done'
        ? stems.map((s) => ({
            name: s.name,
            objectId: s.object_id,
            sizeBytes: Number(s.size_bytes),
          }))
        : [],
  };
}

/**
 * Asks for the stems of a track's current version (by its uploader or an admin: separation is
 * work done on request). Idempotent per version; audited.
 */
export async function requestStems(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  trackId: string,
): Promise<StemsState> {
  const track = await getTrack(deps, actor, trackId);
  authorize(actor, 'track', 'update', { tenantId: actor.tenantId, createdBy: track.createdBy });
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    await enqueueJob(tx, now, {
      tenantId: actor.tenantId,
      queue: 'stems',
      idempotencyKey: `${track.id}:${track.version}`,
      payload: { trackId: track.id, version: track.version, requestedBy: actor.userId },
    });
    await appendActorAudit(tx, now, actor, {
      action: 'track.stems_request',
      objectType: 'track',
      objectId: track.id,
      detail: { version: track.version },
    });
  });
  return trackStems(deps, actor, trackId);
}

/**
 * After a track is deleted: crypto-erases its stems (their data keys are destroyed, then the
 * blobs deleted) and clears what its jobs kept (peaks, loudness), in one tenant transaction.
 * Idempotent; the catalog erases the track's own versions.
 */
export async function eraseDerived(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  tenantId: string,
  trackId: string,
): Promise<void> {
  const storageKeys = await withTenant(deps.db, tenantId, async (tx) => {
    const now = deps.clock.now();
    const jobs = await tx('jobs')
      .whereIn('queue', ['analysis', 'stems'])
      .whereLike('idempotency_key', `${trackId}:%`)
      .select('id', 'result');
    const keys: string[] = [];
    const stems = await tx('track_stems').where({ track_id: trackId }).pluck('object_id');
    for (const objectId of stems) {
      const key = await eraseObjectKey(tx, objectId, now);
      if (key) keys.push(key);
    }
    await tx('track_stems').where({ track_id: trackId }).del();
    await tx('track_analyses').where({ track_id: trackId }).del();
    if (jobs.length > 0) {
      await tx('jobs')
        .whereIn(
          'id',
          jobs.map((j) => j.id),
        )
        .update({ result: null, payload: JSON.stringify({ trackId, erased: true }) });
    }
    return keys;
  });
  for (const key of storageKeys) await deps.storage.delete(key).catch(() => undefined);
}

/** Deletes a track ({@link deleteTrack}) and crypto-erases what was derived from it. */
export async function deleteTrackAndDerived(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  actor: Actor,
  trackId: string,
): Promise<void> {
  await deleteTrack(deps, actor, trackId);
  await eraseDerived(deps, actor.tenantId, trackId);
}
