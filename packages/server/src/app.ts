import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Koa, { type Middleware } from 'koa';
import pino, { type Logger } from 'pino';
import { buildOpenApi, type OpenApiDocument } from './api/openapi.js';
import { ApiRegistry, type Authenticate } from './api/registry.js';
import type { RouteSpec } from './api/route.js';
import { HttpError } from './http-error.js';
import { createMetrics, type Metrics } from './metrics.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/errors.js';
import { MemoryRateLimitStore, type RateLimitStore } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import type { RequestLog } from './telemetry/request-log-files.js';
import { assets } from './web/assets.js';

/** What the app is built from. Everything has a default suited to tests and the embedded mode. */
export interface AppOptions {
  /** Structured logger; default: pino at `info` to stdout. */
  logger?: Logger;
  /** Trust `X-Forwarded-*` headers (only behind a reverse proxy you run). Default false. */
  trustProxy?: boolean;
  /** Checks `/readyz` runs. */
  readiness?: Record<string, ReadinessCheck>;
  /** Hashes a client IP before it is logged; default: HMAC with a per-process random key. */
  hashIp?: (ip: string) => string;
  /** Key for the HMAC of tenant labels in metrics; default: random per process. */
  metricsLabelKey?: Uint8Array;
  /** Where request logs are kept for their 30 days; default: stdout (the logger) only. */
  requestLog?: RequestLog;
  /** `/metrics` is served only with this token (`Authorization: Bearer <token>`); else 404. */
  metricsToken?: string;
  /** API routes, served under their paths and published in `GET /api/openapi.json`. */
  routes?: RouteSpec[];
  /** Resolves the caller of `auth: 'user'` routes; default: everyone is unauthenticated. */
  authenticate?: Authenticate;
  /** Where rate-limit counters live; default: in this process. */
  rateLimitStore?: RateLimitStore;
  /**
   * Middleware mounted after the static assets and health routes and before the API (pages,
   * resumable uploads).
   */
  middleware?: Middleware[];
  /** Version published in the OpenAPI document. */
  version?: string;
}

/** A built app and the pieces tests and the server entry point need. */
export interface VaultmarkApp {
  app: Koa;
  /** The OpenAPI document served at `/api/openapi.json`. */
  openapi: OpenApiDocument;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Builds the Koa app: request id → security headers → access log and metrics → error mapper →
 * routes. Business rules live in `@vaultmark/vault-core`; this layer maps HTTP to use-cases.
 */
export function createApp(options: AppOptions = {}): VaultmarkApp {
  const logger = options.logger ?? pino({ level: 'info' });
  const metrics = createMetrics(options.metricsLabelKey ?? randomBytes(32));
  const ipKey = randomBytes(32);
  const hashIp =
    options.hashIp ??
    ((ip: string) => createHmac('sha256', ipKey).update(ip).digest('hex').slice(0, 16));
  const app = new Koa({ proxy: options.trustProxy ?? false });
  app.silent = true;

  app.use(requestId());
  app.use(securityHeaders());
  app.use(accessLog(logger, metrics, hashIp, options.requestLog));
  app.use(errorHandler(logger));
  // Metrics name routes, volumes and timings: operators only. Without a token they are off.
  const expected =
    options.metricsToken === undefined ? undefined : Buffer.from(`Bearer ${options.metricsToken}`);
  app.use(async (ctx, next) => {
    if (ctx.path === '/metrics') {
      if (!expected) throw new HttpError(404, 'not_found', 'metrics are off (set METRICS_TOKEN)');
      const given = Buffer.from(ctx.get('Authorization'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpError(401, 'unauthenticated', 'metrics need the operator token');
      }
    }
    await next();
  });
  app.use(assets());
  const health = healthRoutes(options.readiness ?? {}, metrics);
  app.use(health.routes());
  app.use(health.allowedMethods());
  for (const middleware of options.middleware ?? []) app.use(middleware);

  const registry = new ApiRegistry().add(...(options.routes ?? []));
  const openapi = buildOpenApi(registry.list(), {
    title: 'Vaultmark API',
    version: options.version ?? '0.0.0',
  });
  const api = registry.router({
    authenticate:
      options.authenticate ??
      (async () => {
        throw new HttpError(401, 'unauthenticated', 'sign in first');
      }),
    rateLimitStore: options.rateLimitStore ?? new MemoryRateLimitStore(),
  });
  api.get('/api/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  app.use(api.routes());
  app.use(api.allowedMethods());
  return { app, metrics, logger, openapi };
}
