import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { HttpError } from './http-error.js';
import { listen, type RunningServer } from './listen.js';
import { organizationEventOf } from './metrics.js';
import { MemoryRateLimitStore, rateLimit } from './middleware/rate-limit.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close(100)));
});

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

async function start(
  options: Parameters<typeof createApp>[0] = {},
  extra?: (app: import('koa')) => void,
) {
  const built = createApp({ logger: pino({ level: 'silent' }), ...options });
  extra?.(built.app);
  const server = await listen(built.app, 0);
  running.push(server);
  return { ...built, url: server.url, server };
}

describe('createApp', () => {
  it('answers /healthz with security headers and a request id', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a safe incoming request id and replaces an unsafe one', async () => {
    const { url } = await start();
    const kept = await fetch(`${url}/healthz`, { headers: { 'X-Request-Id': 'proxy-id-12345' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-id-12345');
    const replaced = await fetch(`${url}/healthz`, {
      headers: { 'X-Request-Id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).not.toContain('<');
  });

  it('answers unknown routes with a JSON not_found error', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no such resource' },
    });
  });

  it('maps domain error codes to statuses and hides unexpected errors', async () => {
    const { logger, lines } = captureLogger();
    const { url } = await start({ logger }, (app) =>
      app.use(async (ctx) => {
        if (ctx.path === '/domain') {
          throw Object.assign(new Error('track not found'), { code: 'not_found' });
        }
        if (ctx.path === '/http') throw new HttpError(413, 'payload_too_large', 'file too large');
        if (ctx.path === '/throttled') {
          throw Object.assign(new Error('too many investigations'), {
            code: 'rate_limited',
            retryAfterSeconds: 41.2,
          });
        }
        throw new Error('database password is hunter2');
      }),
    );
    const domain = await fetch(`${url}/domain`);
    expect(domain.status).toBe(404);
    expect(await domain.json()).toEqual({
      error: { code: 'not_found', message: 'track not found' },
    });
    const http = await fetch(`${url}/http`);
    expect(http.status).toBe(413);
    const throttled = await fetch(`${url}/throttled`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('42');
    const internal = await fetch(`${url}/boom`);
    expect(internal.status).toBe(500);
    const body = (await internal.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal_error');
    expect(body.error.message).not.toContain('hunter2');
    expect(lines.some((line) => line.msg === 'unhandled error')).toBe(true);
  });

  it('logs route templates and hashed addresses, never raw paths or IPs', async () => {
    const { logger, lines } = captureLogger();
    const { url } = await start({ logger });
    await fetch(`${url}/s/secret-token-value?password=x`);
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toBeDefined();
    const text = JSON.stringify(lines);
    expect(text).not.toContain('secret-token-value');
    expect(text).not.toContain('127.0.0.1');
    expect(line?.route).toBe('unmatched');
  });

  it('reports readiness from its checks', async () => {
    let dbUp = false;
    const { url } = await start({
      readiness: {
        database: async () => {
          if (!dbUp) throw new Error('connection refused');
        },
      },
    });
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not_ready', failing: ['database'] });
    dbUp = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('keeps metrics off without an operator token', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it('serves Prometheus metrics behind the operator token', async () => {
    const { url } = await start({ metricsToken: 'operator-secret' });
    await fetch(`${url}/healthz`);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const response = await fetch(`${url}/metrics`, {
      headers: { Authorization: 'Bearer operator-secret' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      'vaultmark_http_requests_total{method="GET",route="/healthz",status="200"}',
    );
  });

  it('hashes tenant labels with its key', () => {
    const a = createApp({ metricsLabelKey: new Uint8Array(32).fill(1) });
    const b = createApp({ metricsLabelKey: new Uint8Array(32).fill(2) });
    expect(a.metrics.tenantLabel('tenant-1')).toMatch(/^[0-9a-f]{16}$/);
    expect(a.metrics.tenantLabel('tenant-1')).not.toContain('tenant');
    expect(a.metrics.tenantLabel('tenant-1')).toBe(a.metrics.tenantLabel('tenant-1'));
    expect(a.metrics.tenantLabel('tenant-1')).not.toBe(b.metrics.tenantLabel('tenant-1'));
  });

  it('counts uploads, shares, streams, investigations and errors per organization label', async () => {
    const key = new Uint8Array(32).fill(3);
    const built = await start({ metricsToken: 'operator-secret', metricsLabelKey: key }, (app) => {
      app.use((ctx) => {
        const [route, status] = ctx.path === '/share' ? ['/api/shares', 201] : ['/api/tracks', 500];
        (ctx as { _matchedRoute?: string })._matchedRoute = route;
        ctx.state.caller = { tenantId: 'org-1' };
        ctx.status = status as number;
        ctx.body = {};
      });
    });
    await fetch(`${built.url}/share`, { method: 'POST' });
    await fetch(`${built.url}/other`, { method: 'POST' });
    const text = await (
      await fetch(`${built.url}/metrics`, { headers: { Authorization: 'Bearer operator-secret' } })
    ).text();
    const label = built.metrics.tenantLabel('org-1');
    expect(label).toBe(createApp({ metricsLabelKey: key }).metrics.tenantLabel('org-1'));
    expect(text).toContain(
      `vaultmark_organization_events_total{organization="${label}",event="share"} 1`,
    );
    expect(text).toContain(
      `vaultmark_organization_events_total{organization="${label}",event="error"} 1`,
    );
    expect(text).not.toContain('org-1');
    expect(organizationEventOf('GET', '/s/:token/tracks/:trackId/stream', 206)).toBe('stream');
    expect(organizationEventOf('GET', '/s/:token/tracks/:trackId/stream', 404)).toBeUndefined();
  });

  it('rate-limits with 429 and Retry-After', async () => {
    const store = new MemoryRateLimitStore();
    const { url } = await start({}, (app) => {
      app.use(rateLimit({ name: 'test', max: 2, windowMs: 60_000, keyOf: () => 'k' }, store));
      app.use((ctx) => {
        ctx.body = { ok: true };
      });
    });
    expect((await fetch(`${url}/x`)).status).toBe(200);
    expect((await fetch(`${url}/x`)).status).toBe(200);
    const limited = await fetch(`${url}/x`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('lets an in-flight request finish on graceful close', async () => {
    const built = createApp({ logger: pino({ level: 'silent' }) });
    built.app.use(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ctx.body = { done: true };
    });
    const server = await listen(built.app, 0);
    const pending = fetch(`${server.url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close(5_000);
    const response = await pending;
    expect(await response.json()).toEqual({ done: true });
  });
});
