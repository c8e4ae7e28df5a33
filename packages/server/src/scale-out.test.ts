import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, LocalStorage, openDatabase } from '@vaultmark/vault-core';
import { withTenant } from '@vaultmark/vault-core/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone } from '../test/tone.js';
import {
  Browserless,
  eventually,
  postgresSchema,
  startTestServer,
  type TestServer,
} from '../test/vault-server.js';
import { loadConfig } from './config.js';
import { createVaultWorker, type VaultWorker } from './jobs/worker.js';

const url = process.env.TEST_DATABASE_URL;
if (!url) {
  console.warn(
    'scale-out test skipped: set TEST_DATABASE_URL (eval "$(bash scripts/setup-system.sh)") to run two servers and two workers on one PostgreSQL',
  );
}

describe.skipIf(!url)('two servers and two workers on one PostgreSQL', () => {
  const shared = mkdtempSync(join(tmpdir(), 'vaultmark-scale-'));
  // What a deployment shares: the database, the key-encryption key and the object store (here
  // one directory, as a network file system would be; S3 in production).
  const env = { VAULTMARK_KEK_FILE: join(shared, 'kek.key') };
  const storage = new LocalStorage(join(shared, 'blobs'));
  const servers: TestServer[] = [];
  const workers: VaultWorker[] = [];
  const databases: Database[] = [];
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const pg = await postgresSchema();
    drop = pg.drop;
    const open = async () => {
      const db = await openDatabase({ url: pg.url, schema: pg.schema, poolMax: 4 });
      databases.push(db);
      return db;
    };
    // The first server migrates; the others start on the migrated schema.
    servers.push(
      await startTestServer('postgres', { worker: false, env, storage, database: await open() }),
    );
    servers.push(
      await startTestServer('postgres', { worker: false, env, storage, database: await open() }),
    );
    for (let i = 0; i < 2; i++) {
      const config = loadConfig(
        { ...env, LOG_LEVEL: 'silent' },
        { dataDir: join(shared, `worker-${i}`) },
      );
      workers.push(
        await createVaultWorker({
          config,
          database: await open(),
          storage,
          idleMs: 50,
          logger: pino({ level: 'silent' }),
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(servers.map((s) => s.stop()));
    await drop?.();
    rmSync(shared, { recursive: true, force: true });
  });

  it('shares sessions across servers and runs each job exactly once', async () => {
    const [one, two] = servers as [TestServer, TestServer];
    const onOne = new Browserless(one.url);
    const registered = await onOne.register('scale@example.com', 'Scale');
    // The same cookie and CSRF token, sent to the other server, are accepted for a write.
    const onTwo = new Browserless(two.url);
    onTwo.cookies = new Map(onOne.cookies);
    onTwo.csrf = onOne.csrf;
    const token = await onTwo.json('POST', '/api/auth/tokens', {
      password: 'correct horse battery',
    });
    expect(token.status).toBe(201);

    const wav = readFileSync(tone(shared, 'tone.wav', { seconds: 3 }));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const client = i % 2 === 0 ? onOne : onTwo;
      const form = new FormData();
      form.set('file', new Blob([wav]), `take ${i}.wav`);
      const created = await client.json<{ id: string }>('POST', '/api/tracks', form);
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    await eventually(async () => {
      const page = await onTwo.json<{ items: { analysisStatus: string }[] }>(
        'GET',
        '/api/tracks?limit=50',
      );
      return page.body.items.length === 6 &&
        page.body.items.every((t) => t.analysisStatus === 'done')
        ? true
        : undefined;
    }, 90_000);

    const db = databases[0]!;
    const tenantId = (registered.body as unknown as { organizationId: string }).organizationId;
    const rows = await withTenant(db, tenantId, (tx) =>
      tx('jobs').where({ queue: 'analysis' }).select('idempotency_key', 'attempts', 'locked_by'),
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => Number(r.attempts) === 1)).toBe(true);
    const events = await withTenant(db, tenantId, (tx) =>
      tx('audit_events').where({ action: 'track.analysis' }).select('object_id'),
    );
    // One run per job: "running" then "done", twice per track and never more.
    for (const id of ids) expect(events.filter((e) => e.object_id === id)).toHaveLength(2);
  }, 120_000);
});
