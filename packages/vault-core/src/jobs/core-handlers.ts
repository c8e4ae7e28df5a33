import type { VaultDeps } from '../deps.js';
import { runInvestigation } from '../investigations/run-investigation.js';
import type { JobHandler, QueueName } from './job-queue.js';

/**
 * Handlers of the queues vault-core itself serves (today: `investigation`), bound to `deps`.
 * A worker merges them with its own: `runWorker(deps, { handlers: { ...coreJobHandlers(deps),
 * analysis }, ... })`.
 */
export function coreJobHandlers(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
): Partial<Record<QueueName, JobHandler>> {
  return { investigation: (job, progress) => runInvestigation(deps, job, progress) };
}
