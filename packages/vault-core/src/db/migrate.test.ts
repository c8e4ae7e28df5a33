import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import type { Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../test/database.js';
import { type Database, openDatabase } from './database.js';
import { MIGRATION_LOCK_CLASS, migrate, migrationStatus } from './migrate.js';
import { migrationSource } from './migration-source.js';

const url = process.env.TEST_DATABASE_URL;
const known = await migrationSource.getMigrations([]);

/** Fresh schemas on the test server, each opened by `count` independent pools (processes). */
const schemas: string[] = [];
const opened: Database[] = [];

async function freshSchema(count: number): Promise<Database[]> {
  const schema = `m_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url: url as string, poolMax: 1 });
  await admin.knex.raw(`CREATE SCHEMA ${schema}`);
  await admin.close();
  schemas.push(schema);
  const dbs = await Promise.all(
    Array.from({ length: count }, () => openDatabase({ url: url as string, schema, poolMax: 2 })),
  );
  opened.push(...dbs);
  return dbs;
}

function recorded(db: Database): Promise<Array<{ name: string; batch: number }>> {
  return db.knex('knex_migrations').orderBy('id').select('name', 'batch');
}

/** A migration source holding only the first `n` migrations: a database of an older release. */
function olderRelease(n: number): Knex.MigrationSource<string> {
  return { ...migrationSource, getMigrations: async () => known.slice(0, n) };
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  if (!url || schemas.length === 0) return;
  const admin = await openDatabase({ url, poolMax: 1 });
  for (const schema of schemas) await admin.knex.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
});

describe.skipIf(!url)('migrate on PostgreSQL', () => {
  it('migrates an empty schema exactly once when many processes start at the same instant', async () => {
    const dbs = await freshSchema(8);
    const runs = await Promise.all(dbs.map((db) => migrate(db)));
    // One process applied everything; the seven others waited for the lock and found nothing.
    const migrators = runs.filter((run) => run.applied.length > 0);
    expect(migrators).toHaveLength(1);
    expect(migrators[0]?.applied).toEqual(known);
    expect(runs.every((run) => run.unknown.length === 0)).toBe(true);
    const rows = await recorded(dbs[0]!);
    expect(rows.map((r) => r.name)).toEqual(known);
    expect(new Set(rows.map((r) => Number(r.batch)))).toEqual(new Set([1]));
    // The schema works: every process sees the same tables.
    for (const db of dbs) expect(await db.knex.schema.hasTable('tracks')).toBe(true);
  });

  it('brings an older schema up to date once, in one new batch', async () => {
    const dbs = await freshSchema(6);
    await dbs[0]!.knex.migrate.latest({ migrationSource: olderRelease(3) });
    const runs = await Promise.all(dbs.map((db) => migrate(db)));
    expect(runs.filter((run) => run.applied.length > 0).map((run) => run.applied)).toEqual([
      known.slice(3),
    ]);
    const rows = await recorded(dbs[0]!);
    expect(rows.map((r) => r.name)).toEqual(known);
    expect(rows.map((r) => Number(r.batch))).toEqual(known.map((_, i) => (i < 3 ? 1 : 2)));
  });

  it('reports the status without creating anything, then applied and pending', async () => {
    const [db] = await freshSchema(1);
    const empty = await migrationStatus(db!);
    expect(empty.map((m) => m.state)).toEqual(known.map(() => 'pending'));
    expect(await db!.knex.schema.hasTable('knex_migrations')).toBe(false);

    await db!.knex.migrate.latest({ migrationSource: olderRelease(2) });
    const partial = await migrationStatus(db!);
    expect(partial.map((m) => [m.name, m.state])).toEqual(
      known.map((name, i) => [name, i < 2 ? 'applied' : 'pending']),
    );
    expect(partial[0]?.appliedAt).toBeInstanceOf(Date);
    expect(partial[0]?.batch).toBe(1);
  });

  it('leaves a schema migrated by a newer release as it is', async () => {
    const [db] = await freshSchema(1);
    await migrate(db!);
    await db!.knex('knex_migrations').insert({
      name: '9999-from-a-newer-release',
      batch: 2,
      migration_time: new Date(),
    });
    expect(await migrate(db!)).toEqual({ applied: [], unknown: ['9999-from-a-newer-release'] });
    const status = await migrationStatus(db!);
    expect(status.at(-1)).toMatchObject({ name: '9999-from-a-newer-release', state: 'unknown' });
    // A newer release's migrations on top of a gap in ours cannot be reasoned about: refuse.
    await db!
      .knex('knex_migrations')
      .where({ name: known.at(-1) })
      .delete();
    await expect(migrate(db!)).rejects.toMatchObject({
      code: 'migration_conflict',
      message: expect.stringMatching(/newer release \(9999-from-a-newer-release\) yet lacks/),
    });
  });

  it('waits for the process holding the lock, naming it, then finds nothing to do', async () => {
    const [db, holder] = await freshSchema(2);
    await migrate(db!);
    // Another process in the middle of its migrations: it holds the schema's lock.
    const key = `${MIGRATION_LOCK_CLASS}, hashtext(current_schema())`;
    const held = await holder!.knex.transaction();
    try {
      const pid = (await held.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await held.raw(`SELECT pg_advisory_lock(${key})`);
      let waitedFor: number | undefined | null = null;
      const run = migrate(db!, { onWait: (p) => (waitedFor = p) });
      await expect.poll(() => waitedFor, { timeout: 10_000 }).toBe(pid);
      const settled = await Promise.race([
        run.then(() => 'done'),
        sleep(300).then(() => 'waiting'),
      ]);
      expect(settled).toBe('waiting');
      await held.raw(`SELECT pg_advisory_unlock(${key})`);
      expect(await run).toEqual({ applied: [], unknown: [] });
    } finally {
      await held.rollback();
    }
  });
});

describe.skipIf(!url)('migrate while PostgreSQL is not up yet', () => {
  /** A TCP relay to the test server on a port of its own: "PostgreSQL" is up while it listens. */
  async function relay(port = 0): Promise<{ server: Server; port: number }> {
    const target = new URL(url as string);
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { server, port: (server.address() as { port: number }).port };
  }
  const close = (server: Server) => new Promise((resolve) => server.close(resolve));

  it('waits for the database to accept connections, then migrates', async () => {
    const [seed] = await freshSchema(1);
    const schema = (await seed!.knex.raw('SELECT current_schema() AS s')).rows[0].s as string;
    // Take a free port and let it go: nothing listens there until the database "comes up".
    const probe = await relay();
    await close(probe.server);
    const target = new URL(url as string);
    target.host = `127.0.0.1:${probe.port}`;
    const db = await openDatabase({ url: target.toString(), schema, poolMax: 2 });
    opened.push(db);
    let refused = 0;
    let up: Server | undefined;
    const run = migrate(db, {
      onUnreachable: () => {
        refused++;
        if (refused === 2) void relay(probe.port).then((r) => (up = r.server));
      },
    });
    try {
      expect(await run).toEqual({ applied: known, unknown: [] });
      expect(refused).toBeGreaterThanOrEqual(2);
    } finally {
      await db.knex.destroy();
      if (up) await close(up);
    }
  });

  it('fails at once when the database refuses the credentials', async () => {
    const [seed] = await freshSchema(1);
    const schema = (await seed!.knex.raw('SELECT current_schema() AS s')).rows[0].s as string;
    const target = new URL(url as string);
    target.password = 'not-the-password';
    const db = await openDatabase({ url: target.toString(), schema, poolMax: 1 });
    opened.push(db);
    const started = Date.now();
    let refused = 0;
    await expect(migrate(db, { onUnreachable: () => refused++ })).rejects.toMatchObject({
      code: '28P01',
    });
    expect(refused).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('migrate on PGlite', () => {
  it('takes no lock and reports every migration applied', async () => {
    const db = await testDatabase('pglite');
    try {
      expect(await migrate(db)).toEqual({ applied: [], unknown: [] });
      const status = await migrationStatus(db);
      expect(status.map((m) => [m.name, m.state])).toEqual(known.map((n) => [n, 'applied']));
    } finally {
      await db.close();
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
