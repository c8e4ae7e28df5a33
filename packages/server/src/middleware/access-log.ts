import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { type Metrics, type OrganizationEvent, organizationEventOf } from '../metrics.js';
import type { RequestLog } from '../telemetry/request-log-files.js';

/**
 * One structured log line and one metrics sample per request (and a per-organization event for
 * uploads, shares, streams, downloads, investigations and errors). Paths are logged as the matched
 * route template (`/s/:token`), never the raw URL, so share tokens and query strings stay out of
 * logs; the client address is logged only as the hash the injected `hashIp` gives.
 */
export function accessLog(
  logger: Logger,
  metrics: Metrics,
  hashIp: (ip: string) => string,
  /** Where request logs are kept for their retention (path, method, status, latency, id). */
  requestLog?: RequestLog,
): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics.requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      metrics.duration.observe({ method: ctx.method, route }, seconds);
      // The organization: the signed-in caller's, or the one a recipient's link belongs to.
      const organization =
        (ctx.state.organizationId as string | undefined) ??
        (ctx.state.caller as { tenantId?: string } | undefined)?.tenantId;
      // A middleware outside the router may name the event itself (a finished tus upload).
      const named =
        ctx.status < 300 ? (ctx.state.organizationEvent as OrganizationEvent) : undefined;
      const event = organization && (named ?? organizationEventOf(ctx.method, route, ctx.status));
      if (organization && event) {
        metrics.organizationEvents.inc({ organization: metrics.tenantLabel(organization), event });
      }
      const latencyMs = Math.round(seconds * 1e4) / 10;
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          route,
          status: ctx.status,
          latencyMs,
          ip: hashIp(ctx.ip),
        },
        'request',
      );
      requestLog?.record({
        at: new Date(),
        requestId: String(ctx.state.requestId ?? ''),
        method: ctx.method,
        route,
        status: ctx.status,
        latencyMs,
      });
    }
  };
}
