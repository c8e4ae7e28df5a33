import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Koa from 'koa';
import pino, { type Logger } from 'pino';
import { HttpError } from './http-error.js';
import { createMetrics, type Metrics } from './metrics.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/errors.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';

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
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

/** A built app and the pieces tests and the server entry point need. */
export interface VaultmarkApp {
  app: Koa;
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
  app.use(accessLog(logger, metrics, hashIp));
  app.use(errorHandler(logger));
  if (options.metricsToken !== undefined) {
    const expected = Buffer.from(`Bearer ${options.metricsToken}`);
    app.use(async (ctx, next) => {
      if (ctx.path === '/metrics') {
        const given = Buffer.from(ctx.get('Authorization'));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new HttpError(401, 'unauthenticated', 'metrics need the operator token');
        }
      }
      await next();
    });
  }
  const health = healthRoutes(options.readiness ?? {}, metrics);
  app.use(health.routes());
  app.use(health.allowedMethods());
  return { app, metrics, logger };
}
