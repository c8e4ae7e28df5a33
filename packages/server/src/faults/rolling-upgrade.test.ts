/**
 * A rolling upgrade's middle: this release's server keeps working on a database that the next
 * release has already migrated, provided that migration only expanded the schema (the policy in
 * docs/operations.md). The next release's migration is stood in for by one that does what the
 * policy allows: a new table, a new nullable column, a new column with a default, recorded in
 * knex's table under a name this release does not know.
 */
import { readFileSync } from 'node:fs';
import { type Database, migrate, migrationStatus, openDatabase } from '@vaultmark/vault-core';
import { withSystem } from '@vaultmark/vault-core/testing';
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
const NEXT = '9999-next-release-expand';

describe.skipIf(!url)('this release on a schema the next release has expanded', () => {
  let t: TestServer;
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const pg = await postgresSchema();
    drop = pg.drop;
    db = await openDatabase({ url: pg.url, schema: pg.schema, poolMax: 4 });
    await migrate(db);
    await db.knex.raw(`
      CREATE TABLE next_release_playlists (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, title text NOT NULL);
      ALTER TABLE tracks ADD COLUMN next_release_mood text;
      ALTER TABLE shares ADD COLUMN next_release_note text NOT NULL DEFAULT '';
      INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('${NEXT}', 2, now());
    `);
    t = await startTestServer('postgres', { database: db });
  });
  afterAll(async () => {
    await t?.stop();
    await drop?.();
  });

  it('starts without applying anything and serves the main journeys', async () => {
    const status = await migrationStatus(db);
    expect(status.filter((m) => m.state !== 'applied')).toEqual([
      expect.objectContaining({ name: NEXT, state: 'unknown' }),
    ]);

    const owner = new Browserless(t.url);
    await owner.register('upgrade@example.com', 'Upgrade');
    const form = new FormData();
    form.set('file', new Blob([readFileSync(tone(t.dataDir, 'up.wav', { seconds: 3 }))]), 'Up.wav');
    const track = await owner.json<{ id: string }>('POST', '/api/tracks', form);
    expect(track.status).toBe(201);
    await eventually(async () =>
      (await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${track.body.id}`)).body
        .analysisStatus === 'done'
        ? true
        : undefined,
    );
    const shared = await owner.json<{ links: { url: string }[] }>('POST', '/api/shares', {
      trackIds: [track.body.id],
      recipients: [{ name: 'Ann', email: 'ann@example.com' }],
    });
    expect(shared.status).toBe(201);
    const link = shared.body.links[0]!.url;
    expect((await fetch(link)).status).toBe(200);
    const stream = await fetch(`${link}/tracks/${track.body.id}/stream`);
    expect(stream.status).toBe(200);
    expect((await stream.arrayBuffer()).byteLength).toBeGreaterThan(44);
    const audit = await owner.json<{ ok: boolean }>('GET', '/api/audit/verify');
    expect(audit.body.ok).toBe(true);
    // The rows this release wrote satisfy the next release's columns (defaults and nulls).
    const row = await withSystem(db, (tx) => tx('shares').first('next_release_note'));
    expect(row?.next_release_note).toBe('');
  });
});
