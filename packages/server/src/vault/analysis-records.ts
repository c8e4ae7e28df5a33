import { type Vault, withTenant } from '@vaultmark/vault-core';

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
