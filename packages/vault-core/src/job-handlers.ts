import type { VaultDeps } from './deps.js';
import { analysisJob } from './derived/analysis-job.js';
import { stemsJob } from './derived/stems-job.js';
import { runInvestigation } from './investigations/run-investigation.js';
import type { JobHandler, QueueName } from './jobs/job-queue.js';
import { sharePreviewsJob } from './shares/share-previews.js';

/**
 * Handlers of the queues vault-core serves (`analysis`, `stems`, `investigation`, `previews`), bound to
 * `deps`: every job that reads audio runs below the HTTP layer. A worker runs them with
 * `runWorker(deps, { handlers: coreJobHandlers(deps), ... })`.
 */
export function coreJobHandlers(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
): Partial<Record<QueueName, JobHandler>> {
  return {
    analysis: analysisJob(deps),
    stems: stemsJob(deps),
    investigation: (job, progress) => runInvestigation(deps, job, progress),
    previews: sharePreviewsJob(deps),
  };
}
