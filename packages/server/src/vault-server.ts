import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStorage, Database, Vault } from '@vaultmark/vault-core';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import pino, { type Logger } from 'pino';
import type { OpenApiDocument } from './api/openapi.js';
import type { RouteSpec } from './api/route.js';
import { createApp } from './app.js';
import { CsrfTokens } from './auth/csrf.js';
import type { ServerConfig } from './config.js';
import { type RunningWorker, startWorker } from './jobs/worker.js';
import { listen, type RunningServer } from './listen.js';
import { DatabaseRateLimitStore, type RateLimitStore } from './middleware/rate-limit.js';
import { accountRoutes } from './routes/account-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { guestReviewRoutes } from './routes/guest-review-routes.js';
import { guestRoutes } from './routes/guest-routes.js';
import { investigationRoutes } from './routes/investigation-routes.js';
import { libraryRoutes } from './routes/library-routes.js';
import { notificationRoutes } from './routes/notification-routes.js';
import { organizationBrandingRoutes } from './routes/organization-branding-routes.js';
import { organizationRoutes } from './routes/organization-routes.js';
import { recipientReviewRoutes } from './routes/recipient-review-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { recordingRoutes } from './routes/recording-routes.js';
import { reviewRoutes } from './routes/review-routes.js';
import { shareActivityRoutes } from './routes/share-activity-routes.js';
import { shareMemberRoutes } from './routes/share-member-routes.js';
import { shareRoutes } from './routes/share-routes.js';
import { trackArtworkRoutes } from './routes/track-artwork-routes.js';
import { presentTrack, trackRoutes } from './routes/track-routes.js';
import { RequestLogFiles } from './telemetry/request-log-files.js';
import { participantUploads } from './uploads/participant-uploads.js';
import { recordingUploads } from './uploads/recording-uploads.js';
import {
  SPOOL_MAX_AGE_MS,
  SPOOL_SWEEP_INTERVAL_MS,
  sweepTemporaryFiles,
} from './uploads/spool-sweep.js';
import { tusUploads } from './uploads/tus.js';
import { lockDataDir } from './vault/data-dir-lock.js';
import { openConfiguredVault } from './vault/open-configured-vault.js';
import { rewrapOnNewKey } from './vault/rewrap-on-new-key.js';
import { type ServerContext, vaultAuthenticate } from './vault/server-context.js';
import { pageNotFound, pageRoutes } from './web/page-routes.js';

/** Options of {@link createVaultServer}. */
export interface VaultServerOptions {
  config: ServerConfig;
  /** An already-open database (tests); default from the configuration. */
  database?: Database;
  /** Blob storage instead of the configured one (tests, embedding applications). */
  storage?: BlobStorage;
  logger?: Logger;
  /**
   * Run the background worker in this process (default true). Deployments with separate
   * `vaultmark worker` processes turn it off on their servers.
   */
  worker?: boolean;
  /** Poll interval of the in-process worker when idle (default 1 s). */
  workerIdleMs?: number;
  /** Version published in the OpenAPI document. */
  version?: string;
  /** Where rate-limit counters live; default: the vault's database (shared by every server). */
  rateLimitStore?: RateLimitStore;
}

/** The composed reference server. */
export interface VaultServer {
  app: Koa;
  openapi: OpenApiDocument;
  vault: Vault;
  logger: Logger;
  config: ServerConfig;
  /** The in-process worker, when one runs. */
  worker: RunningWorker | undefined;
  /** Starts listening on the configured host and port. */
  listen(port?: number): Promise<RunningServer>;
  /**
   * Graceful shutdown: stops accepting connections, lets requests in flight (uploads included)
   * finish for up to `graceMs`, stops the worker after its current job, closes the database.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Composes the vault into the HTTP app: opens the vault from the configuration (PGlite, local
 * storage, local KEK and mail outbox under the data directory unless configured otherwise),
 * mounts the API (auth, account, audit, tracks, resumable uploads), the pages, and the worker.
 */
export async function createVaultServer(options: VaultServerOptions): Promise<VaultServer> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  // The embedded database belongs to one process; PostgreSQL takes any number of servers.
  const embedded = config.databaseUrl === undefined && options.database === undefined;
  const unlock = embedded ? lockDataDir(config.dataDir) : () => {};
  const opened = await openConfiguredVault(config, {
    logger,
    ...(options.database ? { database: options.database } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
  }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const { vault, deriveSecret } = opened;
  const tmpDir = join(config.dataDir, 'tmp');
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  // What a crash left behind: with the embedded database this process owns the data directory,
  // so every temporary file and every unfinished blob write is an orphan; servers sharing a
  // PostgreSQL may share the directory too, so there only old leftovers go.
  const startedAt = new Date();
  const leftovers = embedded ? startedAt : new Date(startedAt.getTime() - SPOOL_MAX_AGE_MS);
  const swept = {
    temporaryFiles: await sweepTemporaryFiles(tmpDir, leftovers),
    partialBlobs: embedded ? await vault.lifecycle.sweepIncompleteBlobs(leftovers) : 0,
  };
  const ctx: ServerContext = {
    vault,
    config,
    logger,
    tmpDir,
    csrf: new CsrfTokens(deriveSecret('csrf')),
  };
  const authenticate = vaultAuthenticate(ctx);
  const routes: RouteSpec[] = [
    ...authRoutes(ctx),
    ...accountRoutes(ctx),
    ...organizationRoutes(ctx),
    ...guestRoutes(ctx),
    ...guestReviewRoutes(ctx),
    ...reviewRoutes(ctx),
    ...recipientReviewRoutes(ctx),
    ...trackRoutes(ctx),
    ...libraryRoutes(ctx),
    ...shareRoutes(ctx),
    ...recordingRoutes(ctx),
    ...shareActivityRoutes(ctx),
    ...shareMemberRoutes(ctx),
    ...trackArtworkRoutes(ctx),
    ...organizationBrandingRoutes(ctx),
    ...notificationRoutes(ctx),
    ...recipientRoutes(ctx),
    ...investigationRoutes(ctx, options.version ?? '0.1.0'),
  ];
  const pages = pageRoutes(ctx);
  const sessionUploads = recordingUploads(vault);
  const uploads = tusUploads({
    path: '/api/uploads',
    dir: join(config.dataDir, 'uploads'),
    spoolSecret: deriveSecret('upload-spool'),
    maxBytes: config.maxUploadBytes,
    authenticate,
    onCreate: sessionUploads.onCreate,
    onFailed: sessionUploads.onFailed,
    onComplete: async (upload) => {
      // A participant's track for a recording session, or else a catalog upload.
      const recorded = await sessionUploads.onComplete(upload);
      if (recorded) return recorded;
      const track = await vault.catalog.uploadTrack(
        {
          userId: upload.caller.userId,
          tenantId: upload.caller.tenantId,
          role: upload.caller.role ?? 'member',
        },
        { body: upload.open(), originalFileName: upload.originalName },
      );
      return presentTrack(track);
    },
  });
  // Participants of a recording session without an account, by their invitation link's token.
  const guestUploads = participantUploads(vault, {
    dir: join(config.dataDir, 'participant-uploads'),
    spoolSecret: deriveSecret('upload-spool'),
    maxBytes: config.maxUploadBytes,
  });
  const sweepUploads = () =>
    Promise.all([uploads.sweepExpired(), guestUploads.sweepExpired()])
      .then(([a, b]) => a + b)
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'sweeping expired uploads failed');
        return 0;
      });
  const expiredUploads = await sweepUploads();
  if (swept.temporaryFiles + swept.partialBlobs + expiredUploads > 0) {
    logger.info({ ...swept, expiredUploads }, 'removed what an earlier run left unfinished');
  }
  const uploadSweeper = setInterval(sweepUploads, SPOOL_SWEEP_INTERVAL_MS);
  uploadSweeper.unref();
  const rewrapper = embedded ? rewrapOnNewKey(vault, logger) : undefined;
  const requestLog = new RequestLogFiles(config.requestLogDir).start();
  const built = createApp({
    logger,
    requestLog,
    trustProxy: config.trustProxy,
    routes,
    authenticate,
    middleware: [pageNotFound(), uploads, guestUploads, pages.routes() as Middleware],
    readiness: {
      database: () => vault.health.database(),
      storage: () => vault.health.storage(),
    },
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    // Organization labels stay the same across restarts and servers of one deployment.
    metricsLabelKey: deriveSecret('metrics-organization-label'),
    ...(options.version ? { version: options.version } : {}),
    rateLimitStore:
      options.rateLimitStore ?? new DatabaseRateLimitStore(vault, deriveSecret('rate-limit')),
  });
  const worker =
    (options.worker ?? true)
      ? startWorker(vault, {
          logger,
          tmpDir,
          ...(options.workerIdleMs !== undefined ? { idleMs: options.workerIdleMs } : {}),
        })
      : undefined;
  let running: RunningServer | undefined;
  return {
    app: built.app,
    openapi: built.openapi,
    vault,
    logger,
    config,
    worker,
    async listen(port = config.port) {
      running = await listen(built.app, port, config.host);
      return running;
    },
    async close(graceMs = 10_000) {
      clearInterval(uploadSweeper);
      await rewrapper?.stop();
      await running?.close(graceMs);
      await worker?.stop();
      await vault.close();
      await requestLog.close();
      unlock();
    },
  };
}
