import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { withTenant } from '../db/transactions.js';
import { enqueueJob, getJob } from './job-queue.js';
import { runWorker } from './worker.js';

describe.each(engines)('worker loop on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('two workers run every job exactly once, run periodic tasks, and stop on abort', async () => {
    const tenantId = randomUUID();
    const ids = await withTenant(deps.db, tenantId, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        out.push(
          await enqueueJob(tx, deps.clock.now(), {
            tenantId,
            queue: 'analysis',
            idempotencyKey: `j${i}`,
            payload: { i },
          }),
        );
      }
      return out;
    });
    const runs: Array<[string, number]> = [];
    let periodic = 0;
    const controller = new AbortController();
    const handlers = (name: string) => ({
      analysis: async (job: { payload: Record<string, unknown> }) => {
        runs.push([name, job.payload.i as number]);
        if (runs.length === 6) controller.abort();
        return null;
      },
    });
    const every = [{ intervalMs: 3600_000, run: async () => void periodic++ }];
    await Promise.all([
      runWorker(deps, {
        handlers: handlers('w1'),
        workerId: 'w1',
        signal: controller.signal,
        idleMs: 5,
        every,
      }),
      runWorker(deps, {
        handlers: handlers('w2'),
        workerId: 'w2',
        signal: controller.signal,
        idleMs: 5,
      }),
    ]);
    expect(runs.map(([, i]) => i).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(periodic).toBe(1);
    for (const id of ids) expect((await getJob(deps, { tenantId }, id)).state).toBe('done');
  });
});
