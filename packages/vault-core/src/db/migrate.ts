import type { Knex } from 'knex';
import { VaultError } from '../errors.js';
import type { Database } from './database.js';
import { migrationSource } from './migration-source.js';
import { isConnectionLost } from './transactions.js';

/** Table in which knex records applied migrations (one row per migration, with its batch). */
const MIGRATIONS_TABLE = 'knex_migrations';

/**
 * First half of the advisory lock key that serialises migrations (`'VMIG'` in ASCII). The second
 * half is a hash of the schema being migrated, so one schema is migrated by one process at a time
 * while separate schemas of one database (tests, several deployments) do not wait for each other.
 */
export const MIGRATION_LOCK_CLASS = 0x564d4947;

/** What {@link migrate} did. */
export interface MigrationRun {
  /** Migrations this call applied, in order; empty when the schema was already up to date. */
  applied: string[];
  /**
   * Migrations recorded in the database that this version does not know: a newer release has
   * migrated (expand-only, so this version keeps working). Nothing is applied then.
   */
  unknown: string[];
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Called once when another process holds the migration lock and this one waits for it, with
   * that process's PostgreSQL backend pid (when visible).
   */
  onWait?: (holderPid: number | undefined) => void;
  /**
   * Called at each failed attempt to reach PostgreSQL while start-up waits for it (a database
   * started alongside the servers is not accepting connections yet).
   */
  onUnreachable?: (error: unknown) => void;
  /** How long to wait for PostgreSQL to accept connections (default {@link CONNECT_WAIT_MS}). */
  connectWaitMs?: number;
}

/**
 * How long start-up waits for PostgreSQL to accept connections: docker-compose, systemd or
 * Kubernetes may start the database and the servers together, and a database takes seconds to
 * come up (or to finish a restart). Refused connections and "starting up" answers are retried;
 * anything else (a wrong password, an unknown database) fails at once.
 */
export const CONNECT_WAIT_MS = 60_000;

/**
 * Applies every pending migration, exactly once however many processes start at the same time.
 *
 * On PostgreSQL the whole run (creating knex's bookkeeping tables, reading what is applied,
 * applying the rest) happens under a session-level advisory lock held on one dedicated
 * connection, so concurrent servers and workers queue behind the first: it migrates, the others
 * then find nothing pending. knex's own lock row cannot do this alone, because its tables are
 * created before it is taken (two processes on an empty database race on `CREATE TABLE`). A
 * process that dies mid-run loses its connection, PostgreSQL releases the lock and rolls back
 * the migrations' transaction, and the next process starts over.
 *
 * PGlite is one process's database (the server locks its data directory), so no lock is taken.
 *
 * A database already migrated by a newer release (names this version does not know) is left as
 * it is, provided every migration this version knows is applied; otherwise the gap is an error.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrationRun> {
  if (db.engine !== 'postgres') return migrateUnlocked(db.knex);
  return withMigrationLock(db, options, () => migrateUnlocked(db.knex));
}

async function migrateUnlocked(knex: Knex): Promise<MigrationRun> {
  const known = await migrationSource.getMigrations([]);
  const recorded = (await tableExists(knex)) ? await appliedNames(knex) : [];
  const unknown = recorded.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const missing = known.filter((name) => !recorded.includes(name));
    if (missing.length > 0) {
      throw new VaultError(
        'migration_conflict',
        `the database was migrated by a newer release (${unknown.join(', ')}) yet lacks ${missing.join(', ')} of this one: start the release that migrated it`,
      );
    }
    return { applied: [], unknown };
  }
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return { applied: [...applied], unknown: [] };
}

/**
 * Runs `fn` while holding the migration advisory lock of the database's schema on a connection
 * of its own (outside the pool, so a pool of one connection cannot deadlock on it).
 */
async function withMigrationLock<T>(
  db: Database,
  options: MigrateOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const client = db.knex.client as {
    acquireRawConnection(): Promise<RawConnection>;
    destroyRawConnection(connection: RawConnection): Promise<void>;
  };
  const connection = await connectPatiently(() => client.acquireRawConnection(), options);
  const key = `${MIGRATION_LOCK_CLASS}, hashtext(coalesce(current_schema(), ''))`;
  try {
    const tried = await connection.query(`SELECT pg_try_advisory_lock(${key}) AS ok`);
    if (!tried.rows[0]?.ok) {
      const holder = await connection.query(
        `SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = ${MIGRATION_LOCK_CLASS}::oid
           AND l.objid = hashtext(coalesce(current_schema(), ''))::oid AND l.objsubid = 2`,
      );
      options.onWait?.(holder.rows[0]?.pid as number | undefined);
      await connection.query(`SELECT pg_advisory_lock(${key})`);
    }
    try {
      return await fn();
    } finally {
      // Closing the connection below releases the lock too; unlock first to hand it over at once.
      await connection.query(`SELECT pg_advisory_unlock(${key})`).catch(() => {});
    }
  } finally {
    await client.destroyRawConnection(connection).catch(() => {});
  }
}

async function connectPatiently<C>(connect: () => Promise<C>, options: MigrateOptions): Promise<C> {
  const deadline = Date.now() + (options.connectWaitMs ?? CONNECT_WAIT_MS);
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await connect();
    } catch (error) {
      if (!isConnectionLost(error) || Date.now() + delay > deadline) throw error;
      options.onUnreachable?.(error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

interface RawConnection {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

async function tableExists(knex: Knex): Promise<boolean> {
  return knex.schema.hasTable(MIGRATIONS_TABLE);
}

async function appliedNames(knex: Knex): Promise<string[]> {
  const rows = await knex(MIGRATIONS_TABLE).orderBy('id').select<{ name: string }[]>('name');
  return rows.map((row) => row.name);
}

/** One migration as {@link migrationStatus} reports it. */
export interface MigrationState {
  name: string;
  /** `applied`, `pending`, or `unknown` (applied by a newer release this version does not know). */
  state: 'applied' | 'pending' | 'unknown';
  /** When it was applied (absent when pending). */
  appliedAt?: Date;
  /** knex batch number: migrations applied by one start-up share a batch. */
  batch?: number;
}

/**
 * The applied and pending migrations of a database, in order, without changing anything (on an
 * empty database every migration is pending and no table is created).
 */
export async function migrationStatus(db: Database): Promise<MigrationState[]> {
  const known = await migrationSource.getMigrations([]);
  const rows = (await tableExists(db.knex))
    ? await db
        .knex(MIGRATIONS_TABLE)
        .orderBy('id')
        .select<{ name: string; batch: number; migration_time: Date }[]>(
          'name',
          'batch',
          'migration_time',
        )
    : [];
  const states: MigrationState[] = rows.map((row) => ({
    name: row.name,
    state: known.includes(row.name) ? 'applied' : 'unknown',
    appliedAt: new Date(row.migration_time),
    batch: Number(row.batch),
  }));
  for (const name of known) {
    if (!rows.some((row) => row.name === name)) states.push({ name, state: 'pending' });
  }
  return states;
}
