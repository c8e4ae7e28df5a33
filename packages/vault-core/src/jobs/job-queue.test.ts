import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { type TestDeps, testDeps } from '../../test/deps.js';
import { withSystem, withTenant } from '../db/transactions.js';
import {
  claimJob,
  enqueueJob,
  getJob,
  JOB_LEASE_MS,
  reportProgress,
  runNextJob,
} from './job-queue.js';

describe.each(engines)('job queue on %s', (engine) => {
  let deps: TestDeps;
  const tenantId = randomUUID();
  beforeAll(async () => {
    deps = await testDeps(engine);
  });
  afterAll(async () => {
    await deps?.close();
  });
  const enqueue = (key: string, maxAttempts = 3) =>
    withTenant(deps.db, tenantId, (tx) =>
      enqueueJob(tx, deps.clock.now(), {
        tenantId,
        queue: 'analysis',
        idempotencyKey: key,
        payload: { key },
        maxAttempts,
      }),
    );

  it('is idempotent per key and runs each job once with progress and result', async () => {
    const id = await enqueue('k1');
    expect(await enqueue('k1')).toBe(id);
    const seen: number[] = [];
    const ran = await runNextJob(
      deps,
      {
        analysis: async (job, progress) => {
          await progress(0.5);
          seen.push((await getJob(deps, { tenantId }, job.id)).progress);
          return { bpm: 120 };
        },
      },
      'w1',
    );
    expect(ran).toBe(true);
    expect(seen).toEqual([0.5]);
    expect(await getJob(deps, { tenantId }, id)).toMatchObject({
      state: 'done',
      progress: 1,
      result: { bpm: 120 },
      attempts: 1,
    });
    expect(await runNextJob(deps, { analysis: async () => 1 }, 'w1')).toBe(false);
  });

  it('concurrent claims never hand out the same job', async () => {
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((k) => enqueue(`c-${k}`)));
    const claims = await Promise.all(
      ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map((w) => claimJob(deps, ['analysis'], w)),
    );
    const got = claims.filter((c) => c !== null).map((c) => c?.id);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual([...ids].sort());
  });

  it('keeps the lease of a worker that reports progress', async () => {
    await withSystem(deps.db, (tx) =>
      tx('jobs').whereNot({ state: 'done' }).update({ state: 'done' }),
    );
    const id = await enqueue('long');
    expect((await claimJob(deps, ['analysis'], 'busy', 60_000))?.id).toBe(id);
    deps.clock.advance(50_000);
    await reportProgress(deps, id, 'busy', 0.3);
    deps.clock.advance(JOB_LEASE_MS - 1);
    expect(await claimJob(deps, ['analysis'], 'thief')).toBeNull();
    deps.clock.advance(2);
    expect((await claimJob(deps, ['analysis'], 'heir'))?.id).toBe(id);
  });

  it('reclaims a job whose worker vanished and retries failures with back-off', async () => {
    await withSystem(deps.db, (tx) =>
      tx('jobs').whereNot({ state: 'done' }).update({ state: 'done' }),
    );
    const id = await enqueue('crash', 2);
    const first = await claimJob(deps, ['analysis'], 'dead-worker', 60_000);
    expect(first?.id).toBe(id);
    expect(await claimJob(deps, ['analysis'], 'w2')).toBeNull();
    deps.clock.advance(60_001);
    // After the lease, another worker (or the same one after a restart) takes it over.
    const handler = async () => {
      throw new Error('decoder exploded');
    };
    expect(await runNextJob(deps, { analysis: handler }, 'w2')).toBe(true);
    // Used both attempts: stays failed.
    expect(await getJob(deps, { tenantId }, id)).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: 'decoder exploded',
    });
    const retry = await enqueue('retry', 3);
    await runNextJob(deps, { analysis: handler }, 'w3');
    expect(await getJob(deps, { tenantId }, retry)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(await runNextJob(deps, { analysis: handler }, 'w3')).toBe(false);
    deps.clock.advance(30_001);
    expect(await runNextJob(deps, { analysis: async () => 'ok' }, 'w3')).toBe(true);
    expect(await getJob(deps, { tenantId }, retry)).toMatchObject({ state: 'done', attempts: 2 });
  });
});
