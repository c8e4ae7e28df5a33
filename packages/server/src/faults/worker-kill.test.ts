/**
 * A `vaultmark worker` process killed with SIGKILL in the middle of an analysis job: the job is
 * claimed again once its lease has run out, by another worker, and its result is recorded exactly
 * once. The lease (five minutes in production) is run out by moving the job's `locked_until` into
 * the past, which is what the passing of time does; nothing else of the queue is touched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, LocalKek, LocalStorage, openDatabase } from '@vaultmark/vault-core';
import { withTenant } from '@vaultmark/vault-core/testing';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, killHard, schemaUrl, startCli } from '../../test/cli-process.js';
import { tone } from '../../test/tone.js';
import {
  Browserless,
  eventually,
  postgresSchema,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';
import { loadConfig } from '../config.js';
import { createVaultWorker, type VaultWorker } from '../jobs/worker.js';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('a worker killed with SIGKILL in the middle of a job', () => {
  const shared = mkdtempSync(join(tmpdir(), 'vaultmark-kill-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    rmSync(shared, { recursive: true, force: true });
  });

  it('is retried after its lease by another worker and recorded once', async () => {
    const pg = await postgresSchema();
    cleanups.push(pg.drop);
    const db: Database = await openDatabase({ url: pg.url, schema: pg.schema, poolMax: 4 });
    cleanups.push(() => db.close());
    // What the deployment shares: the database, the key-encryption key and the blob store (a
    // directory here: the worker process's `DATA/blobs`).
    const kekFile = join(shared, 'kek.key');
    LocalKek.fromFile(kekFile);
    const storage = new LocalStorage(join(shared, 'worker', 'blobs'));
    const t: TestServer = await startTestServer('postgres', {
      database: db,
      storage,
      worker: false,
      env: { VAULTMARK_KEK_FILE: kekFile },
    });
    cleanups.push(() => t.stop());
    const doomed: CliProcess = startCli(['worker', '--data', join(shared, 'worker')], {
      DATABASE_URL: schemaUrl(pg.url, pg.schema),
      VAULTMARK_KEK_FILE: kekFile,
    });
    cleanups.push(() => killHard(doomed));
    await doomed.printed(/worker \S+ running/);

    const owner = new Browserless(t.url);
    const tenantId = (await owner.register('kill@example.com', 'Kill')).body.organizationId;
    // Long enough that the analysis is still running when the test sees it start.
    const wav = readFileSync(tone(shared, 'long.wav', { seconds: 90, args: ['-ac', '2'] }));
    const form = new FormData();
    form.set('file', new Blob([wav]), 'Long.wav');
    const uploaded = await owner.json<{ id: string }>('POST', '/api/tracks', form);
    expect(uploaded.status).toBe(201);
    const trackId = uploaded.body.id;
    const job = () =>
      withTenant(db, tenantId, (tx) =>
        tx('jobs')
          .where({ queue: 'analysis' })
          .whereRaw("payload->>'trackId' = ?", [trackId])
          .first(),
      );

    // The worker process has decrypted the track (progress 0.1) and is analysing it: kill it.
    const running = await eventually(async () => {
      const row = await job();
      return row?.state === 'running' && Number(row.progress) >= 0.1 ? row : undefined;
    }, 60_000);
    expect(String(running.locked_by)).toContain(`:${doomed.child.pid}:`);
    await killHard(doomed);
    expect((await job()).state).toBe('running');

    // Its lease runs out; a worker on another machine claims the job again and finishes it.
    await withTenant(db, tenantId, (tx) =>
      tx('jobs')
        .where({ id: running.id })
        .update({ locked_until: new Date(Date.now() - 1000) }),
    );
    const config = loadConfig(
      { LOG_LEVEL: 'silent', VAULTMARK_KEK_FILE: kekFile },
      { dataDir: join(shared, 'second') },
    );
    const second: VaultWorker = await createVaultWorker({
      config,
      database: db,
      storage,
      idleMs: 100,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => second.stop());
    await eventually(async () => {
      const track = await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${trackId}`);
      return track.body.analysisStatus === 'done' ? track.body : undefined;
    }, 90_000);

    const done = await job();
    expect(done).toMatchObject({ state: 'done', attempts: 2 });
    expect(done.locked_by).toBe(second.workerId);
    expect(done.result).toBeTruthy();
    const events = await withTenant(db, tenantId, (tx) =>
      tx('audit_events')
        .where({ action: 'track.analysis', object_id: trackId })
        .orderBy('seq')
        .select('detail'),
    );
    const statuses = events.map(
      (e) => (typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail).status,
    );
    // Started twice (the killed run, the retry), finished once.
    expect(statuses).toEqual(['running', 'running', 'done']);
    const audit = await owner.json<{ ok: boolean }>('GET', '/api/audit/verify');
    expect(audit.body.ok).toBe(true);
  }, 150_000);
});
