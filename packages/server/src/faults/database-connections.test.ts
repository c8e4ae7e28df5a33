/**
 * PostgreSQL connections lost under a running server: what a database restart, a failover or an
 * operator's `pg_terminate_backend` does to it. The shared test cluster is never restarted (other
 * suites use it); the server's own backends, recognised by their `application_name`, are
 * terminated instead, which is what a restart does to each of them.
 *
 * - Idle pooled connections killed: the next uploads and shares succeed (a transaction whose
 *   connection is found dead before any use-case code ran is retried on a fresh one).
 * - A connection killed in the middle of an upload's or a share's transaction: the request fails
 *   with 503 `not_ready`, nothing of it is left (no row, no stored blob, audit chain intact), and
 *   the same request succeeds afterwards, once.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, openDatabase } from '@vaultmark/vault-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import {
  Browserless,
  eventually,
  postgresSchema,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('PostgreSQL connections terminated under a running server', () => {
  const application = `vaultmark-fault-${randomBytes(4).toString('hex')}`;
  let t: TestServer;
  let admin: Database;
  let owner: Browserless;
  let wav: Buffer<ArrayBuffer>;
  let schema: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const pg = await postgresSchema();
    schema = pg.schema;
    drop = pg.drop;
    const database = await openDatabase({
      url: `${pg.url}${pg.url.includes('?') ? '&' : '?'}application_name=${application}`,
      schema: pg.schema,
      poolMax: 4,
    });
    admin = await openDatabase({ url: pg.url, poolMax: 2 });
    t = await startTestServer('postgres', { database });
    owner = new Browserless(t.url);
    await owner.register('faults@example.com', 'Faults');
    wav = readFileSync(tone(t.dataDir, 'take.wav', { seconds: 2 }));
  });
  afterAll(async () => {
    await t?.stop();
    await admin?.close();
    await drop?.();
  });

  /** Terminates every backend of the server's pool; resolves with how many there were. */
  async function terminateAll(): Promise<number> {
    const r = await admin.knex.raw(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ?',
      [application],
    );
    return r.rows.length;
  }

  const upload = (name: string) => {
    const form = new FormData();
    form.set('file', new Blob([wav]), name);
    return owner.json<{ id: string; error?: { code: string } }>('POST', '/api/tracks', form);
  };
  const share = (trackId: string, email: string) =>
    owner.json<{ id: string; error?: { code: string } }>('POST', '/api/shares', {
      trackIds: [trackId],
      recipients: [{ name: 'Listener', email }],
    });
  const analysed = (trackId: string) =>
    eventually(async () =>
      (await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${trackId}`)).body
        .analysisStatus === 'done'
        ? true
        : undefined,
    );
  const tracks = async () =>
    (await owner.json<{ items: { id: string; title: string }[] }>('GET', '/api/tracks?limit=100'))
      .body.items;
  const shares = async () =>
    (await owner.json<{ items: { id: string }[] }>('GET', '/api/shares')).body.items;
  const blobs = () => readdirSync(join(t.dataDir, 'blobs'), { recursive: true }).length;
  const auditIntact = async () => {
    const verified = await owner.json<{ ok: boolean; problems: unknown[] }>(
      'GET',
      '/api/audit/verify',
    );
    expect(verified.body).toMatchObject({ ok: true, problems: [] });
  };

  /**
   * Runs `request` while the audit chain's head is locked by another session, so the request's
   * transaction blocks at its audit event; terminates the blocked backend, then releases.
   */
  async function killedMidTransaction<T>(request: () => Promise<T>): Promise<T> {
    const lock = await admin.knex.transaction();
    let answer: Promise<T> | undefined;
    try {
      await lock.raw(`LOCK TABLE ${schema}.audit_heads IN EXCLUSIVE MODE`);
      answer = request();
      const pid = await eventually(async () => {
        const r = await admin.knex.raw(
          `SELECT pid FROM pg_stat_activity
           WHERE application_name = ? AND wait_event_type = 'Lock' AND query ILIKE '%audit_heads%'`,
          [application],
        );
        return r.rows[0]?.pid as number | undefined;
      }, 30_000);
      await admin.knex.raw('SELECT pg_terminate_backend(?)', [pid]);
    } finally {
      await lock.commit();
    }
    return answer;
  }

  it('serves uploads and shares at once after its idle connections were killed', async () => {
    const first = await upload('Before.wav');
    expect(first.status).toBe(201);
    await analysed(first.body.id);
    expect(await terminateAll()).toBeGreaterThan(0);
    // The pool still holds the dead connections: these requests must not see them.
    const [second, shared] = await Promise.all([
      upload('After.wav'),
      share(first.body.id, 'after@example.com'),
    ]);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(shared.status, JSON.stringify(shared.body)).toBe(201);
    expect((await tracks()).map((x) => x.title).sort()).toEqual(['After', 'Before']);
    await analysed(second.body.id);
    await auditIntact();
  });

  it('fails an upload cleanly when its transaction loses the connection, then takes it once', async () => {
    const before = { tracks: (await tracks()).length, blobs: blobs() };
    const failed = await killedMidTransaction(() => upload('Cut.wav'));
    expect(failed.status).toBe(503);
    expect(failed.body.error?.code, JSON.stringify(failed.body)).toBe('not_ready');
    // Nothing half-written: no track row, and the blob stored before the transaction is gone.
    expect((await tracks()).length).toBe(before.tracks);
    expect(blobs()).toBe(before.blobs);
    await auditIntact();

    const again = await upload('Cut.wav');
    expect(again.status).toBe(201);
    const titles = (await tracks()).map((x) => x.title);
    expect(titles.filter((title) => title === 'Cut')).toHaveLength(1);
    await analysed(again.body.id);
  });

  it('fails a share creation cleanly when its transaction loses the connection, then creates it once', async () => {
    const trackId = (await tracks())[0]!.id;
    const before = (await shares()).length;
    const failed = await killedMidTransaction(() => share(trackId, 'cut@example.com'));
    expect(failed.status).toBe(503);
    expect(failed.body.error?.code, JSON.stringify(failed.body)).toBe('not_ready');
    expect((await shares()).length).toBe(before);
    await auditIntact();

    const again = await share(trackId, 'cut@example.com');
    expect(again.status).toBe(201);
    expect((await shares()).length).toBe(before + 1);
    await auditIntact();
  });
});
