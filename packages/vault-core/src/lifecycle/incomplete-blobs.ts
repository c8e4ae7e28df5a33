import type { VaultDeps } from '../deps.js';

/**
 * Removes what interrupted blob writes (a crash during a `put`) left behind that is older than
 * `before`, and returns how many pieces went. Run it at start-up by the one process that owns the
 * storage; backends whose uploads are atomic by themselves have nothing to sweep (0).
 */
export async function sweepIncompleteBlobs(
  deps: Pick<VaultDeps, 'storage'>,
  before: Date,
): Promise<number> {
  return (await deps.storage.sweepIncomplete?.(before)) ?? 0;
}
