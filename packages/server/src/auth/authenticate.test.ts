import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../api/route.js';
import { createApp } from '../app.js';
import { listen, type RunningServer } from '../listen.js';
import { authenticate } from './authenticate.js';
import { callerOf, type SessionResolver } from './caller.js';
import { CsrfTokens } from './csrf.js';
import { setSessionCookie } from './session-cookie.js';

const sessions: SessionResolver = {
  async resolve(token) {
    const known: Record<string, { userId: string; tenantId: string; sessionId: string }> = {
      'cookie-token-aaaaaaaaaaaa': { userId: 'u1', tenantId: 't1', sessionId: 's1' },
      'bearer-token-bbbbbbbbbbbb': { userId: 'u2', tenantId: 't2', sessionId: 's2' },
    };
    return known[token];
  },
};
const csrf = new CsrfTokens(new Uint8Array(32).fill(7));
let server: RunningServer;

const whoami = z.object({ userId: z.string(), via: z.string() });
beforeAll(async () => {
  const { app } = createApp({
    logger: pino({ level: 'silent' }),
    trustProxy: true,
    authenticate: authenticate(sessions, csrf, { publicOrigin: 'http://vault.test' }),
    routes: [
      defineRoute({
        method: 'get',
        path: '/api/me',
        summary: 'who am I',
        auth: 'user',
        responses: { 200: { description: 'caller', schema: whoami } },
        handler: (ctx) => ({
          status: 200,
          body: { userId: callerOf(ctx).userId, via: callerOf(ctx).via },
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/api/things',
        summary: 'write',
        auth: 'user',
        body: z.object({}),
        responses: { 200: { description: 'caller', schema: whoami } },
        handler: (ctx) => ({
          status: 200,
          body: { userId: callerOf(ctx).userId, via: callerOf(ctx).via },
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/api/login',
        summary: 'sets a cookie',
        auth: 'public',
        responses: { 204: { description: 'signed in' } },
        handler: (ctx) => {
          setSessionCookie(ctx, 'cookie-token-aaaaaaaaaaaa', 3_600_000);
          return { status: 204 };
        },
      }),
    ],
  });
  server = await listen(app, 0);
});
afterAll(() => server.close(100));

const cookie = 'vaultmark_session=cookie-token-aaaaaaaaaaaa';
const post = (headers: Record<string, string>) =>
  fetch(`${server.url}/api/things`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: '{}',
  });

describe('authenticate', () => {
  it('accepts a bearer token without CSRF and refuses an unknown one', async () => {
    const ok = await post({ Authorization: 'Bearer bearer-token-bbbbbbbbbbbb' });
    expect(await ok.json()).toEqual({ userId: 'u2', via: 'bearer' });
    expect((await post({ Authorization: 'Bearer nope-nope-nope-nope-nope' })).status).toBe(401);
    expect((await post({ Authorization: 'Basic abc' })).status).toBe(401);
  });

  it('reads the session cookie for reads', async () => {
    const response = await fetch(`${server.url}/api/me`, { headers: { Cookie: cookie } });
    expect(await response.json()).toEqual({ userId: 'u1', via: 'cookie' });
    expect((await fetch(`${server.url}/api/me`)).status).toBe(401);
  });

  it('requires the session-bound CSRF token and a same-site origin for cookie writes', async () => {
    expect((await post({ Cookie: cookie })).status).toBe(403);
    expect((await post({ Cookie: cookie, 'X-CSRF-Token': csrf.issue('s2') })).status).toBe(403);
    const ok = await post({
      Cookie: cookie,
      'X-CSRF-Token': csrf.issue('s1'),
      Origin: 'http://vault.test',
    });
    expect(ok.status).toBe(200);
    const crossSite = await post({
      Cookie: cookie,
      'X-CSRF-Token': csrf.issue('s1'),
      Origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe(
      'csrf_failed',
    );
  });

  it('sets an HttpOnly SameSite cookie, with the __Host- prefix and Secure behind TLS', async () => {
    const plain = await fetch(`${server.url}/api/login`, { method: 'POST' });
    const plainCookie = plain.headers.get('set-cookie') ?? '';
    expect(plainCookie).toMatch(/^vaultmark_session=cookie-token-/);
    expect(plainCookie).toContain('httponly');
    expect(plainCookie).toContain('samesite=lax');
    expect(plainCookie).not.toContain('secure');
    const tls = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    const tlsCookie = tls.headers.get('set-cookie') ?? '';
    expect(tlsCookie).toMatch(/^__Host-vaultmark_session=/);
    expect(tlsCookie).toContain('secure');
    expect(tlsCookie).toContain('path=/');
    expect(tls.headers.get('strict-transport-security')).toContain('max-age=');
  });
});
