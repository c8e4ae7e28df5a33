import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vi } from 'vitest';
import { type Database, openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

// Database tests share two cores with the rest of the suite: allow for a loaded machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

/** Engines the repository suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Array<'pglite' | 'postgres'> = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

function migrationsHash(): string {
  const dir = new URL('../src/db/migrations/', import.meta.url);
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(new URL(f, dir)));
  h.update(readFileSync(new URL('../src/db/migration-source.ts', import.meta.url)));
  return h.digest('hex').slice(0, 16);
}

let template: Promise<Blob> | undefined;

/** A migrated PGlite data directory, built once and cached on disk across workers. */
async function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const file = join(tmpdir(), `vaultmark-pglite-template-${migrationsHash()}.tar.gz`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const pg = await PGlite.create();
    const db = await openDatabase({ pglite: pg });
    try {
      await migrate(db);
      const dump = await pg.dumpDataDir('gzip');
      const bytes = Buffer.from(await dump.arrayBuffer());
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
      return new Blob([bytes]);
    } finally {
      await db.close();
    }
  })();
  return template;
}

/**
 * A fresh, migrated database on the given engine: a PGlite loaded from the migrated template,
 * or a new schema on the PostgreSQL server (dropped on close).
 */
export async function testDatabase(engine: 'pglite' | 'postgres'): Promise<Database> {
  if (engine === 'pglite') {
    const pg = await PGlite.create({ loadDataDir: await pgliteTemplate() });
    return openDatabase({ pglite: pg });
  }
  const url = process.env.TEST_DATABASE_URL as string;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url, poolMax: 1 });
  await admin.knex.raw(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const db = await openDatabase({ url, schema, poolMax: 4 });
  await migrate(db);
  return {
    knex: db.knex,
    engine: db.engine,
    async close() {
      await db.knex.raw(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}
