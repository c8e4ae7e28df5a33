import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Knex } from 'knex';

/** Which engine a {@link Database} runs on. */
export type Engine = 'postgres' | 'pglite';

/** An open database: the knex instance plus how to close it. */
export interface Database {
  /** The knex instance; use-cases reach it only through `withTenant`/`withSystem`/`withIdentity`. */
  readonly knex: Knex;
  /** Engine in use. */
  readonly engine: Engine;
  /** Closes the pool (or the embedded instance). Safe to call twice. */
  close(): Promise<void>;
}

/** Where the database lives. */
export type DatabaseConfig =
  /** PostgreSQL by URL; `schema` selects the search path (tests use one schema per file). */
  | { url: string; schema?: string; poolMax?: number }
  /** Embedded PGlite with its data in a directory. */
  | { dataDir: string }
  /** An already-created PGlite instance (tests clone a migrated template). */
  | { pglite: PGlite };

/**
 * Opens a database. PostgreSQL goes through `pg` with a pool; PGlite goes through `knex-pglite`,
 * which is one connection (transactions on it are serialised by the pool).
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  // Loaded on first use: importing the package (or a command that never opens a database) does
  // not pay for the query builder.
  const { default: knexFactory } = await import('knex');
  if ('url' in config) {
    const knex = knexFactory({
      client: 'pg',
      connection: config.url,
      pool: { min: 0, max: config.poolMax ?? 10 },
      ...(config.schema ? { searchPath: [config.schema] } : {}),
    });
    return wrap(knex, 'postgres', undefined);
  }
  const { default: ClientPgLite } = await import('knex-pglite');
  let pglite: PGlite;
  if ('pglite' in config) {
    pglite = config.pglite;
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(config.dataDir);
  }
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  return wrap(knex, 'pglite', pglite);
}

function wrap(knex: Knex, engine: Engine, pglite: PGlite | undefined): Database {
  let closed = false;
  return {
    knex,
    engine,
    async close() {
      if (closed) return;
      closed = true;
      await knex.destroy();
      if (pglite && !pglite.closed) await pglite.close();
    },
  };
}
