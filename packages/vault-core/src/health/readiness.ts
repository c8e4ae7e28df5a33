import type { VaultDeps } from '../deps.js';

/** Storage key of the storage probe: well-formed, in the nil tenant, never written. */
const PROBE_KEY =
  't/00000000-0000-0000-0000-000000000000/probe/00000000-0000-0000-0000-000000000000';

/** Resolves when the database answers a trivial query; rejects with the driver's error. */
export async function checkDatabase(deps: Pick<VaultDeps, 'db'>): Promise<void> {
  await deps.db.knex.raw('select 1');
}

/**
 * Resolves when blob storage answers: asks for a key no object has, so a reachable store answers
 * "missing" without reading or writing anything; rejects with the adapter's error otherwise.
 */
export async function checkStorage(deps: Pick<VaultDeps, 'storage'>): Promise<void> {
  await deps.storage.exists(PROBE_KEY);
}
