import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  type BlobStorage,
  type Database,
  type JobHandler,
  PURGE_INTERVAL_MS,
  type QueueName,
  type Vault,
} from '@vaultmark/vault-core';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import {
  SPOOL_MAX_AGE_MS,
  SPOOL_SWEEP_INTERVAL_MS,
  sweepTemporaryFiles,
} from '../uploads/spool-sweep.js';
import { openConfiguredVault } from '../vault/open-configured-vault.js';

/** Options of {@link startWorker}. */
export interface WorkerStartOptions {
  logger: Logger;
  /** Directory for temporary files of jobs. */
  tmpDir: string;
  /** Lease holder id; default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  /** Poll interval when idle (default 1 s). */
  idleMs?: number;
  /** Extra job handlers by queue (added by later features). */
  handlers?: Partial<Record<QueueName, JobHandler>>;
}

/** A running worker loop. */
export interface RunningWorker {
  readonly workerId: string;
  /** Finishes the current job, then stops. */
  stop(): Promise<void>;
}

/** Audit chains get a signed checkpoint this often (hourly). */
const CHECKPOINT_INTERVAL_MS = 3600_000;

/**
 * Starts the background worker: analysis, stems and investigation jobs, the purge every 6 hours
 * and hourly audit checkpoints. Any number of workers may run against one PostgreSQL database; each job is
 * claimed by exactly one of them.
 */
export function startWorker(vault: Vault, options: WorkerStartOptions): RunningWorker {
  const workerId =
    options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const logger = options.logger.child({ workerId });
  const handlers: Partial<Record<QueueName, JobHandler>> = {
    ...vault.jobs.coreHandlers(),
    ...options.handlers,
  };
  const logged = Object.fromEntries(
    Object.entries(handlers).map(([queue, handler]) => [
      queue,
      (async (job, progress) => {
        const started = Date.now();
        try {
          const result = await handler!(job, progress);
          logger.info({ queue, jobId: job.id, ms: Date.now() - started }, 'job done');
          return result;
        } catch (error) {
          logger.warn({ queue, jobId: job.id, attempt: job.attempts, err: error }, 'job failed');
          throw error;
        }
      }) satisfies JobHandler,
    ]),
  );
  const abort = new AbortController();
  const loop = vault.jobs.runWorker({
    handlers: logged,
    workerId,
    signal: abort.signal,
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    every: [
      { intervalMs: PURGE_INTERVAL_MS, run: () => vault.lifecycle.purgeDue() },
      { intervalMs: CHECKPOINT_INTERVAL_MS, run: () => vault.audit.checkpointAll() },
      {
        intervalMs: SPOOL_SWEEP_INTERVAL_MS,
        run: () => sweepTemporaryFiles(options.tmpDir, new Date(Date.now() - SPOOL_MAX_AGE_MS)),
      },
    ],
    onError: (error) => logger.error({ err: error }, 'worker task failed'),
  });
  return {
    workerId,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** A worker process's worker: its own vault connection, closed on `stop()`. */
export interface VaultWorker extends RunningWorker {}

/**
 * Opens the vault the configuration describes and starts a worker on it (what
 * `vaultmark worker` runs). Logs go to stdout as JSON lines at the configured level.
 */
export async function createVaultWorker(options: {
  config: ServerConfig;
  logger?: Logger;
  /** An already-open database (tests); default from the configuration. */
  database?: Database;
  /** Blob storage instead of the configured one (tests, embedding applications). */
  storage?: BlobStorage;
  /** Poll interval when idle (default 1 s). */
  idleMs?: number;
}): Promise<VaultWorker> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const { vault } = await openConfiguredVault(config, {
    logger,
    ...(options.database ? { database: options.database } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
  });
  const worker = startWorker(vault, {
    logger,
    tmpDir: join(config.dataDir, 'tmp'),
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
  });
  return {
    workerId: worker.workerId,
    async stop() {
      await worker.stop();
      await vault.close();
    },
  };
}
