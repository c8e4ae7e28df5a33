/**
 * ASVS 5.0 V4 — API and Web Service (with V3.5 browser origin separation and V16.5 error
 * handling). Generated from the OpenAPI document: every signed-in route refuses a caller without
 * credentials; every state-changing signed-in route refuses a cookie without its CSRF token and a
 * cross-site Origin; the set of public routes is a reviewed list. Then headers, CORS, malformed
 * bodies and error bodies.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  type Answer,
  buildWorld,
  expectError,
  fillPath,
  type Operation,
  prepareServers,
  sampleRequestBody,
  type World,
} from '../../test/adversary.js';
import { engines } from '../../test/vault-server.js';

const servers = await prepareServers();
const ops = servers.operations;
const signedIn = ops.filter((op) => op.auth === 'user');
/** Routes that would end the caller's session if a forged request got through: run them last. */
const endsSession = (op: Operation) =>
  /logout|account\/delete$|account\/password|totp\/disable|organization\/delete$/.test(op.path);
const writes = signedIn
  .filter((op) => op.method !== 'GET')
  .sort((a, b) => Number(endsSession(a)) - Number(endsSession(b)));

/** Public routes, reviewed: anything else that appears without auth fails the suite. */
const PUBLIC_ROUTES = [
  /^POST \/api\/auth\/(register|register\/verify|login|email-code|email-code\/verify)$/,
  // The unlock address opened with GET only redirects to the share page.
  /^GET \/s\/\{token\}(\/unlock)?$/,
  /^POST \/s\/\{token\}\/(unlock|events)$/,
  /^GET \/s\/\{token\}\/tracks\/\{trackId\}\/(stream|download|peaks|artwork)$/,
  // The sharing organization's logo and accent colour stylesheet, under the same link checks.
  /^GET \/s\/\{token\}\/(logo|brand\.css)$/,
  /^GET \/api\/guest\/tracks(\/\{trackId\}\/audio)?$/,
  // Review: a recipient's feedback under their link (the share must allow it), a guest's
  // sign-in by invitation link and emailed code, and the guest's session (a header).
  /^GET \/s\/\{token\}(\/tracks\/\{trackId\})?\/review$/,
  /^POST \/s\/\{token\}\/tracks\/\{trackId\}\/(comments|approvals)$/,
  /^POST \/api\/guest\/(code|session)$/,
  /^GET \/api\/guest\/review(\/tracks\/\{trackId\}(\/audio|\/peaks)?)?$/,
  /^POST \/api\/guest\/review\/tracks\/\{trackId\}\/(comments|approvals)$/,
  /^(PATCH|DELETE) \/s\/\{token\}\/comments\/\{commentId\}$/,
  /^(PATCH|DELETE) \/api\/guest\/review\/comments\/\{commentId\}$/,
  // A recording-session participant without an account: their invitation link's token (a header).
  /^GET \/api\/participant-link$/,
];

const SECURITY_HEADERS = (answer: Answer) => {
  const csp = answer.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  expect(answer.headers.get('x-frame-options')).toBe('DENY');
  expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
  expect(answer.headers.get('x-powered-by')).toBeNull();
  expect(answer.headers.get('server') ?? '').not.toMatch(/\d/);
};

describe.each(engines)('V4 API and web service on %s', (engine) => {
  let w: World;
  /** A user of its own, so forged requests that wrongly succeed harm no other case. */
  let target: Agent;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
    target = await w.newcomer('csrf-target');
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  it('attacks the real API: the document lists the core routes (generated cases are not empty)', () => {
    const keys = ops.map((op) => op.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'POST /api/auth/register',
        'POST /api/tracks',
        'GET /api/tracks/{id}',
        'POST /api/shares',
        'PUT /api/organization/members',
        'POST /api/guest-tokens',
        'GET /s/{token}',
      ]),
    );
    expect(signedIn.length).toBeGreaterThan(40);
    expect(writes.length).toBeGreaterThan(20);
  });

  it('publishes only reviewed routes without authentication', () => {
    const unreviewed = ops
      .filter((op) => op.auth === 'public')
      .map((op) => op.key)
      .filter((key) => !PUBLIC_ROUTES.some((pattern) => pattern.test(key)));
    expect(unreviewed).toEqual([]);
  });

  it.each(signedIn.map((op) => [op.key, op] as const))(
    '%s without credentials answers 401',
    async (_key, op: Operation) => {
      const answer = await new Agent(w.t.url).send(
        op.method,
        fillPath(op.path, () => undefined),
        sampleRequestBody(op),
      );
      expectError(answer, 401, 'unauthenticated');
    },
  );

  it.each(signedIn.map((op) => [op.key, op] as const))(
    '%s with a forged session cookie or bearer token answers 401',
    async (_key, op: Operation) => {
      const forged = new Agent(w.t.url);
      forged.cookies.set('vaultmark_session', 'A'.repeat(43));
      forged.csrf = 'B'.repeat(43);
      const path = fillPath(op.path, () => undefined);
      expectError(
        await forged.send(op.method, path, sampleRequestBody(op)),
        401,
        'unauthenticated',
      );
      const bearer = new Agent(w.t.url);
      bearer.bearer = `vms_${'C'.repeat(43)}`;
      expectError(
        await bearer.send(op.method, path, sampleRequestBody(op)),
        401,
        'unauthenticated',
      );
    },
  );

  it.each(writes.map((op) => [op.key, op] as const))(
    '%s with the session cookie but no CSRF token answers 403',
    async (_key, op: Operation) => {
      const answer = await target.send(
        op.method,
        fillPath(op.path, () => undefined),
        {
          ...sampleRequestBody(op),
          csrf: false,
        },
      );
      expectError(answer, 403, 'csrf_failed');
    },
  );

  it.each(writes.map((op) => [op.key, op] as const))(
    "%s with another session's CSRF token or from another site answers 403",
    async (_key, op: Operation) => {
      const path = fillPath(op.path, () => undefined);
      const stolen = target.clone();
      stolen.csrf = w.attacker.agent.csrf;
      expectError(await stolen.send(op.method, path, sampleRequestBody(op)), 403, 'csrf_failed');
      const crossSite = await target.send(op.method, path, {
        ...sampleRequestBody(op),
        headers: { Origin: 'https://evil.example' },
      });
      expectError(crossSite, 403, 'csrf_failed');
    },
  );

  it('the forged writes changed nothing of the target', async () => {
    const me = await target.send('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    const orgs = await target.send('GET', '/api/organizations');
    expect(orgs.body.items).toHaveLength(1);
    expect(orgs.body.items[0].deleteAfter).toBeNull();
    const sessions = await target.send('GET', '/api/account/sessions');
    expect(sessions.body.items).toHaveLength(1);
    expect((await target.send('GET', '/api/folders')).body.items).toEqual([]);
  });

  it('resumable uploads (tus) refuse a cookie without the CSRF token', async () => {
    const headers = {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': '1000',
      'Upload-Metadata': `filename ${Buffer.from('x.wav').toString('base64')}`,
    };
    expectError(await target.send('POST', '/api/uploads', { headers, csrf: false }), 403);
    const crossSite = await target.send('POST', '/api/uploads', {
      headers: { ...headers, Origin: 'https://evil.example' },
    });
    expectError(crossSite, 403);
    expectError(await new Agent(w.t.url).send('POST', '/api/uploads', { headers }), 401);
  });

  it('a bearer token needs no CSRF token and is not affected by cookies', async () => {
    const issued = await target.send('POST', '/api/auth/tokens', {
      body: { password: target.password },
    });
    expect(issued.status, issued.text).toBe(201);
    const script = new Agent(w.t.url);
    script.bearer = issued.body.token;
    const folder = await script.send('POST', '/api/folders', { body: { name: 'scripted' } });
    expect(folder.status).toBe(201);
    expect((await script.send('DELETE', `/api/folders/${folder.body.id}`)).status).toBeLessThan(
      300,
    );
  });

  describe('security headers', () => {
    const kinds: [string, (w: World) => Promise<Answer>][] = [
      ['a JSON API answer', (w) => w.victim.agent.send('GET', '/api/auth/me')],
      ['a signed-in page', (w) => w.victim.agent.send('GET', '/library')],
      ['the sign-in page', (w) => new Agent(w.t.url).send('GET', '/signin')],
      ['a redirect to sign in', (w) => new Agent(w.t.url).send('GET', '/library')],
      ['an unknown path', (w) => new Agent(w.t.url).send('GET', '/no/such/thing')],
      ['an error answer', (w) => new Agent(w.t.url).send('GET', '/api/tracks')],
      ['a static asset', (w) => new Agent(w.t.url).send('GET', '/assets/app.css')],
      ['the health check', (w) => new Agent(w.t.url).send('GET', '/healthz')],
      ['the OpenAPI document', (w) => new Agent(w.t.url).send('GET', '/api/openapi.json')],
      ['a recipient page', (w) => new Agent(w.t.url).send('GET', `/s/${w.victim.fx.shareToken}`)],
      ['an unavailable link', (w) => new Agent(w.t.url).send('GET', `/s/vml_${'Z'.repeat(43)}`)],
      [
        'the owner audio download',
        (w) => w.victim.agent.send('GET', `/api/tracks/${w.victim.fx.trackId}/audio`),
      ],
    ];
    it.each(kinds)('are on %s', async (_name, request) => {
      SECURITY_HEADERS(await request(w));
    });

    it('personal and media answers are not cached by shared caches', async () => {
      for (const path of [
        `/api/tracks/${w.victim.fx.trackId}/audio`,
        '/api/account/export',
        '/library',
      ]) {
        const answer = await w.victim.agent.send('GET', path);
        expect(answer.headers.get('cache-control'), path).toMatch(/private|no-store/);
      }
    });

    it('HSTS is sent over TLS only (behind a trusted proxy)', async () => {
      const plain = await new Agent(w.t.url).send('GET', '/healthz');
      expect(plain.headers.get('strict-transport-security')).toBeNull();
    });
  });

  describe('cross-origin requests', () => {
    it.each([
      ['GET', '/api/auth/me'],
      ['OPTIONS', '/api/auth/me'],
      ['OPTIONS', '/api/tracks'],
      ['GET', '/api/openapi.json'],
    ])('%s %s grants no CORS access to another site', async (method, path) => {
      const answer = await w.victim.agent.send(method, path, {
        headers: {
          Origin: 'https://evil.example',
          'Access-Control-Request-Method': 'DELETE',
          'Access-Control-Request-Headers': 'x-csrf-token',
        },
      });
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    });
  });

  describe('malformed requests get a plain error body', () => {
    const cases: [string, number | number[], string | undefined, (a: Agent) => Promise<Answer>][] =
      [
        [
          'invalid JSON',
          400,
          undefined,
          (a) =>
            a.send('POST', '/api/folders', {
              body: '{"name": ',
              headers: { 'Content-Type': 'application/json' },
            }),
        ],
        [
          'a JSON array instead of an object',
          400,
          'validation_failed',
          (a) => a.send('POST', '/api/folders', { body: [1, 2, 3] }),
        ],
        [
          'JSON sent as text/plain (a form-post CSRF trick)',
          [400, 403, 415],
          undefined,
          (a) =>
            a.send('POST', '/api/folders', {
              body: '{"name":"x"}',
              headers: { 'Content-Type': 'text/plain' },
            }),
        ],
        [
          'a JSON body over 1 MiB',
          413,
          'payload_too_large',
          (a) => a.send('POST', '/api/folders', { body: { name: 'x'.repeat(1_100_000) } }),
        ],
        [
          'JSON nested 100 000 levels deep',
          [400, 413],
          undefined,
          (a) =>
            a.send('POST', '/api/folders', {
              body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
              headers: { 'Content-Type': 'application/json' },
            }),
        ],
        ['an unknown API path', 404, 'not_found', (a) => a.send('GET', `/api/${randomUUID()}`)],
        [
          'a method the route does not have',
          [404, 405],
          undefined,
          (a) => a.send('PUT', '/api/tracks'),
        ],
        [
          'an unknown method',
          [400, 404, 405, 501],
          undefined,
          (a) => a.send('PROPFIND', '/api/tracks'),
        ],
        ['a non-UUID id', 400, 'validation_failed', (a) => a.send('GET', '/api/tracks/not-a-uuid')],
        [
          'a query number that is not one',
          400,
          'validation_failed',
          (a) => a.send('GET', '/api/tracks?limit=lots'),
        ],
        [
          'a repeated query parameter',
          [200, 400],
          undefined,
          (a) => a.send('GET', '/api/tracks?q=a&q=b'),
        ],
        [
          'a percent-encoding that does not decode',
          [400, 404],
          undefined,
          (a) => a.send('GET', '/api/tracks/%E0%A4%A'),
        ],
        [
          'multipart without a boundary',
          [400, 415],
          undefined,
          (a) =>
            a.send('POST', '/api/tracks', {
              body: 'garbage',
              headers: { 'Content-Type': 'multipart/form-data' },
            }),
        ],
        [
          'a multipart body that ends early',
          [400, 415],
          undefined,
          (a) =>
            a.send('POST', '/api/tracks', {
              body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF',
              headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
            }),
        ],
      ];
    it.each(cases)('%s', async (_name, status, code, request) => {
      const answer = await request(w.attacker.agent);
      expectError(answer, status, code);
      if (answer.headers.get('content-type')?.includes('json')) {
        expect(Object.keys(answer.body)).toEqual(['error']);
        expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'message']);
      }
    });

    it('a __proto__ key pollutes nothing', async () => {
      const answer = await w.attacker.agent.send('PATCH', `/api/tracks/${w.attacker.fx.trackId}`, {
        body: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"admin": true}}}',
        headers: { 'Content-Type': 'application/json' },
      });
      expect(answer.status).toBeLessThan(500);
      expect(({} as { admin?: boolean }).admin).toBeUndefined();
      const me = await w.attacker.agent.send('GET', '/api/auth/me');
      expect(me.body.role).toBe('owner');
    });

    it('the server is still healthy after all of it', async () => {
      expect((await new Agent(w.t.url).send('GET', '/readyz')).status).toBe(200);
      expect((await w.attacker.agent.send('GET', '/api/tracks')).status).toBe(200);
    });
  });
});
