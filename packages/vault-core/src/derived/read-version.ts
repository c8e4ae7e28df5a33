import type { Readable } from 'node:stream';
import { appendAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { decryptObjectRow } from '../objects/object-store.js';

/**
 * The decrypted master of one version, for the vault's own jobs (analysis, stems): read inside
 * the tenant's scope and audited as the job's read. Nothing read here leaves the vault; it is
 * decoded from the stream, never written to disk in plaintext. `null` when the version or its
 * key is gone.
 */
export async function readVersionForJob(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  tenantId: string,
  trackId: string,
  version: number,
  job: 'analysis' | 'stems',
): Promise<Readable | null> {
  const object = await withTenant(deps.db, tenantId, async (tx) => {
    const row = await tx('track_versions')
      .join('objects', 'objects.id', 'track_versions.object_id')
      .where({ 'track_versions.track_id': trackId, 'track_versions.version': version })
      .first('objects.*');
    if (!row?.wrapped_key) return null;
    await appendAudit(tx, deps.clock.now(), {
      tenantId,
      action: 'object.read',
      objectType: 'object',
      objectId: row.id,
      detail: { via: job, trackId, version },
    });
    return row;
  });
  return object ? decryptObjectRow(deps, object) : null;
}
