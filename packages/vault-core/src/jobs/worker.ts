import type { VaultDeps } from '../deps.js';
import { type JobHandler, type QueueName, runNextJob } from './job-queue.js';

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  handlers: Partial<Record<QueueName, JobHandler>>;
  /** Unique per process, e.g. `${hostname}:${pid}`; recorded as the lease holder. */
  workerId: string;
  /** Stops the loop after the current job. */
  signal: AbortSignal;
  /** Wait between polls when no job is ready (default 1 s). */
  idleMs?: number;
  /** Periodic work (e.g. the purge every 6 hours, audit checkpoints), run between jobs. */
  every?: Array<{ intervalMs: number; run: () => Promise<unknown> }>;
  /** Called with errors of periodic work; the loop continues. */
  onError?: (error: unknown) => void;
}

/**
 * A worker loop: runs ready jobs back to back, sleeps when idle, runs periodic tasks when they
 * are due, and returns once `signal` aborts. Several workers on several machines can run it
 * against one PostgreSQL; `FOR UPDATE SKIP LOCKED` hands each job to one of them.
 */
export async function runWorker(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  options: WorkerOptions,
): Promise<void> {
  const idle = options.idleMs ?? 1000;
  const lastRun = new Map<number, number>();
  while (!options.signal.aborted) {
    const now = deps.clock.now().getTime();
    for (const [i, task] of (options.every ?? []).entries()) {
      const last = lastRun.get(i);
      if (last === undefined || now - last >= task.intervalMs) {
        lastRun.set(i, now);
        await task.run().catch((e) => options.onError?.(e));
      }
    }
    const ran = await runNextJob(deps, options.handlers, options.workerId).catch((e) => {
      options.onError?.(e);
      return false;
    });
    if (!ran) await sleep(idle, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
