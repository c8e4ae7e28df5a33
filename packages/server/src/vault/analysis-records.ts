import { eraseObjectKey, type Vault, withTenant } from '@vaultmark/vault-core';

/** What the analysis job keeps beside the catalog fields (in its job result). */
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

/**
 * Reads the stored outputs of finished analysis jobs for tracks at their current versions,
 * inside the tenant's RLS scope (the job queue keys analysis by `trackId:version`). The catalog
 * keeps tempo, key and duration; peaks and loudness live in the job's result.
 */
export async function analysisOutputs(
  vault: Vault,
  tenantId: string,
  tracks: readonly { id: string; version: number }[],
  what: 'details' | 'all' = 'details',
): Promise<Map<string, AnalysisOutput>> {
  const out = new Map<string, AnalysisOutput>();
  if (tracks.length === 0) return out;
  const keys = tracks.map((t) => `${t.id}:${t.version}`);
  const rows = await withTenant(vault.deps.db, tenantId, (tx) =>
    tx('jobs')
      .where({ queue: 'analysis', state: 'done' })
      .whereIn('idempotency_key', keys)
      .select(
        'idempotency_key',
        what === 'all' ? tx.raw('result') : tx.raw("result->'details' AS details"),
      ),
  );
  for (const row of rows) {
    const trackId = String(row.idempotency_key).split(':')[0]!;
    const result = (
      what === 'all' ? row.result : { details: row.details }
    ) as Partial<AnalysisOutput> | null;
    if (result?.details) out.set(trackId, result as AnalysisOutput);
  }
  return out;
}

/** The uploader and current version of a track (worker side, inside the tenant's scope). */
export async function trackOwnerAndVersion(
  vault: Vault,
  tenantId: string,
  trackId: string,
): Promise<{ createdBy: string | null; version: number } | undefined> {
  const row = await withTenant(vault.deps.db, tenantId, (tx) =>
    tx('tracks').where({ id: trackId }).first('created_by', 'current_version'),
  );
  return row ? { createdBy: row.created_by, version: Number(row.current_version) } : undefined;
}

/** State and result of the newest job of a queue for a key, inside the tenant's scope. */
export async function jobFor(
  vault: Vault,
  tenantId: string,
  queue: 'stems' | 'analysis',
  key: string,
): Promise<{ id: string; state: string; progress: number; result: unknown } | undefined> {
  const row = await withTenant(vault.deps.db, tenantId, (tx) =>
    tx('jobs').where({ queue, idempotency_key: key }).first('id', 'state', 'progress', 'result'),
  );
  return row
    ? { id: row.id, state: row.state, progress: Number(row.progress), result: row.result }
    : undefined;
}

/**
 * After a track is deleted: crypto-erases its stems (their data keys are destroyed, then the
 * blobs deleted) and clears what its jobs kept (peaks, loudness), in one tenant transaction.
 * Idempotent; the catalog erases the track's own versions.
 */
export async function eraseDerived(vault: Vault, tenantId: string, trackId: string): Promise<void> {
  const like = `${trackId}:%`;
  const storageKeys = await withTenant(vault.deps.db, tenantId, async (tx) => {
    const now = vault.deps.clock.now();
    const jobs = await tx('jobs')
      .whereIn('queue', ['analysis', 'stems'])
      .whereLike('idempotency_key', like)
      .select('id', 'queue', 'result');
    const keys: string[] = [];
    for (const job of jobs) {
      for (const stem of (job.result?.stems ?? []) as { objectId: string }[]) {
        const key = await eraseObjectKey(tx, stem.objectId, now);
        if (key) keys.push(key);
      }
    }
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
  for (const key of storageKeys) await vault.deps.storage.delete(key).catch(() => undefined);
}
