import Router from '@koa/router';
import type { Metrics } from '../metrics.js';

/** A dependency the service needs before it can take traffic (database, storage, ...). */
export type ReadinessCheck = () => Promise<void>;

/**
 * `/healthz` says the process is alive; `/readyz` runs every readiness check and answers 503 with
 * the failing checks' names (no internals) until all pass; `/metrics` is Prometheus text.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>, metrics: Metrics): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const failing: string[] = [];
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
        } catch {
          failing.push(name);
        }
      }),
    );
    ctx.status = failing.length === 0 ? 200 : 503;
    ctx.body = failing.length === 0 ? { status: 'ready' } : { status: 'not_ready', failing };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
