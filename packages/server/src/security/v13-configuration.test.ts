/**
 * ASVS 5.0 V13 — Configuration: what the default deployment exposes. `/metrics` is not public
 * (404 without a configured token; with one, 401 without it), health checks say nothing of the
 * internals, the data directory and its secrets are private to the service's user, and the
 * published API document names no secret.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  filesUnder,
  Outbox,
  prepareServers,
  signUp,
  startServer,
  uniqueEmail,
} from '../../test/adversary.js';
import { engines, type TestServer } from '../../test/vault-server.js';

const servers = await prepareServers();
const TOKEN = 'metrics-token-for-the-suite-0123456789';

describe.each(engines)('V13 configuration on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await servers.take(engine);
    await signUp(new Agent(t.url), new Outbox(join(t.dataDir, 'outbox')), uniqueEmail('config'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('/metrics', () => {
    it('is not served on the public listener when no token is configured (404)', async () => {
      const answer = await fetch(`${t.url}/metrics`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toMatch(/# HELP|# TYPE/);
    });
  });

  // The token check sits in front of every route and of the database: its server runs once.
  describe.runIf(engine === engines[0])('/metrics with a token configured', () => {
    let withToken: TestServer;
    beforeAll(async () => {
      withToken = await startServer(engine, { worker: false, env: { METRICS_TOKEN: TOKEN } });
    });
    afterAll(async () => {
      await withToken?.stop();
    });

    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', `Bearer ${TOKEN.replace(/.$/, 'x')}`],
      ['the token without "Bearer"', TOKEN],
      ['a token prefix', `Bearer ${TOKEN.slice(0, 10)}`],
      ['a session-style token', `Bearer vms_${'a'.repeat(43)}`],
    ])('with a token configured, refuses %s (401)', async (_name, authorization) => {
      const answer = await fetch(`${withToken.url}/metrics`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
      expect(answer.status).toBe(401);
      expect(await answer.text()).not.toMatch(/# HELP|# TYPE/);
    });

    it('with a token configured, serves it to the bearer of the token (200)', async () => {
      const answer = await fetch(`${withToken.url}/metrics`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(answer.status).toBe(200);
      const text = await answer.text();
      expect(text).toMatch(/# TYPE/);
      // Labels name no tenant, user or email in clear.
      expect(text).not.toMatch(/@example\.com/);
    });
  });

  describe('health checks', () => {
    it('/healthz and /readyz say ok and nothing else', async () => {
      for (const path of ['/healthz', '/readyz']) {
        const answer = await fetch(`${t.url}${path}`);
        expect(answer.status).toBe(200);
        const body = (await answer.json()) as Record<string, unknown>;
        expect(Object.keys(body)).toEqual(['status']);
      }
    });
  });

  describe('the data directory', () => {
    it.each([['.'], ['keys'], ['tmp'], ['uploads'], ['outbox']])(
      '%s is private to the service user (no group or other access)',
      (dir) => {
        const path = join(t.dataDir, dir);
        const mode = statSync(path).mode & 0o777;
        expect((mode & 0o077).toString(8), `${path} is ${mode.toString(8)}`).toBe('0');
      },
    );

    it('every key file is readable by the service user only', () => {
      const keys = filesUnder(join(t.dataDir, 'keys'));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const mode = statSync(join(t.dataDir, 'keys', key)).mode & 0o777;
        expect(mode & 0o077, key).toBe(0);
      }
    });

    it('every stored email (sign-in codes) is readable by the service user only', () => {
      const mails = filesUnder(join(t.dataDir, 'outbox'));
      expect(mails.length).toBeGreaterThan(0);
      for (const mail of mails) {
        expect(statSync(join(t.dataDir, 'outbox', mail)).mode & 0o077, mail).toBe(0);
      }
    });
  });

  describe('what the service publishes', () => {
    it('the OpenAPI document names no secret, key or internal path', async () => {
      const text = await (await fetch(`${t.url}/api/openapi.json`)).text();
      expect(text).not.toContain(t.dataDir);
      expect(text).not.toMatch(/kek|server-secret|BEGIN .*PRIVATE KEY|postgres:\/\//i);
    });

    it('static assets are a fixed set: no directory listing, no source maps, no traversal', async () => {
      for (const path of [
        '/assets/',
        '/assets/../package.json',
        '/assets/%2e%2e/package.json',
        '/assets/..%2fpackage.json',
        '/assets/api.js.map',
        '/package.json',
        '/.env',
        '/.git/config',
      ]) {
        const answer = await fetch(`${t.url}${path}`);
        expect(answer.status, path).toBe(404);
        expect(await answer.text(), path).not.toMatch(/"name"|\[core\]|workspace/);
      }
    });

    it('errors name no framework, version or file', async () => {
      const answer = await fetch(`${t.url}/api/tracks/not-a-uuid`, {
        headers: { Cookie: 'vaultmark_session=x' },
      });
      const text = await answer.text();
      expect(text).not.toMatch(/koa|zod|node_modules|\.ts\b|\/work\//i);
    });
  });
});
