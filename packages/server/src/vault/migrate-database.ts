import { join } from 'node:path';
import {
  type Database,
  type MigrationRun,
  type MigrationState,
  migrate,
  migrationStatus,
  openDatabase,
} from '@vaultmark/vault-core';
import type { ServerConfig } from '../config.js';
import { lockDataDir } from './data-dir-lock.js';

/** What {@link migrateDatabase} did and found. */
export interface MigrationReport {
  /** `postgres` with `DATABASE_URL`, else `pglite` (the embedded database). */
  engine: Database['engine'];
  /** What this call applied (absent with `apply: false`). */
  run?: MigrationRun;
  /** Every migration and its state after the call, in order. */
  status: MigrationState[];
}

/**
 * Opens the configured database on its own (no storage, keys or mail are needed) and applies its
 * pending migrations, or with `apply: false` only reports them (what `vaultmark migrate` and
 * `vaultmark migrate --status` run). On PostgreSQL this takes the same advisory lock as every
 * server and worker start-up, so it is safe to run while they start. The embedded database is
 * locked like `vaultmark serve` locks it: a running server on the data directory is refused.
 */
export async function migrateDatabase(
  config: ServerConfig,
  options: {
    apply: boolean;
    /** Called when another process is migrating and this one waits (its backend pid). */
    onWait?: (holderPid: number | undefined) => void;
    /** Called at each failed attempt to reach PostgreSQL while waiting for it to come up. */
    onUnreachable?: (error: unknown) => void;
  },
): Promise<MigrationReport> {
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const db = config.databaseUrl
      ? await openDatabase({ url: config.databaseUrl, poolMax: 2 })
      : await openDatabase({ dataDir: join(config.dataDir, 'db') });
    try {
      const run = options.apply
        ? await migrate(db, {
            ...(options.onWait ? { onWait: options.onWait } : {}),
            ...(options.onUnreachable ? { onUnreachable: options.onUnreachable } : {}),
          })
        : undefined;
      return { engine: db.engine, ...(run ? { run } : {}), status: await migrationStatus(db) };
    } finally {
      await db.close();
    }
  } finally {
    unlock();
  }
}
