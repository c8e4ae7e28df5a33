/**
 * ASVS 5.0 V7 — Session Management. The session cookie's flags over HTTP and over TLS, rotation
 * at sign-in, and every way a session must end: sign-out, revocation, a password change (the
 * other sessions), turning two-factor on or off, deleting the account. Ended sessions are tried
 * again with their old cookie, CSRF token and bearer token.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  bearerOf,
  enableTotp,
  expectError,
  Outbox,
  PASSWORD,
  prepareServers,
  signIn,
  signUp,
  startServer,
  uniqueEmail,
} from '../../test/adversary.js';
import { engines, type TestServer } from '../../test/vault-server.js';

const servers = await prepareServers();

/** The attributes of one Set-Cookie value, lower-cased names. */
function attributes(cookie: string): Map<string, string> {
  const [, ...parts] = cookie.split(';').map((p) => p.trim());
  return new Map(
    parts.map((p) => {
      const [k, ...v] = p.split('=');
      return [k!.toLowerCase(), v.join('=')];
    }),
  );
}

describe.each(engines)('V7 session management on %s', (engine) => {
  let t: TestServer;
  let outbox: Outbox;
  const account = (label: string) => signUp(new Agent(t.url), outbox, uniqueEmail(label));

  beforeAll(async () => {
    t = await servers.take(engine);
    outbox = new Outbox(join(t.dataDir, 'outbox'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A second browser signed in to the same account. */
  async function secondBrowser(user: Agent): Promise<Agent> {
    const other = new Agent(t.url).withEmail(user);
    expect((await signIn(other)).status).toBe(200);
    return other;
  }

  const alive = async (agent: Agent) => (await agent.send('GET', '/api/auth/me')).status === 200;

  describe('the session cookie', () => {
    it('is HttpOnly, SameSite, for the whole site, not Secure over plain HTTP, and expires', async () => {
      const user = await account('cookie');
      const login = await signIn(new Agent(t.url).withEmail(user));
      const cookie = login.setCookies.find((c) => c.startsWith('vaultmark_session='))!;
      expect(cookie).toBeDefined();
      const a = attributes(cookie);
      expect(a.has('httponly')).toBe(true);
      expect(['lax', 'strict']).toContain(a.get('samesite')?.toLowerCase());
      expect(a.get('path')).toBe('/');
      expect(a.has('domain')).toBe(false);
      expect(a.has('secure')).toBe(false);
      const expires = Date.parse(a.get('expires') ?? '');
      expect(expires - Date.now()).toBeGreaterThan(0);
      expect(expires - Date.now()).toBeLessThanOrEqual(31 * 86_400_000);
    });

    it('is never in a response body', async () => {
      const browser = new Agent(t.url);
      const user = await signUp(browser, outbox, uniqueEmail('nobody-sees'));
      const login = await signIn(new Agent(t.url).withEmail(user));
      const token = login.setCookies[0]!.split(';')[0]!.split('=')[1]!;
      expect(login.text).not.toContain(token);
      const me = await user.send('GET', '/api/auth/me');
      expect(me.text).not.toContain(user.session!);
      const sessions = await user.send('GET', '/api/account/sessions');
      expect(sessions.text).not.toContain(user.session!);
    });

    it('the emailed-code binding cookie is HttpOnly, SameSite=Strict and scoped to its route', async () => {
      const user = await account('binding');
      const asked = await new Agent(t.url).send('POST', '/api/auth/email-code', {
        body: { email: user.email },
      });
      const cookie = asked.setCookies.find((c) => !c.includes('vaultmark_session'))!;
      const a = attributes(cookie);
      expect(a.has('httponly')).toBe(true);
      expect(a.get('samesite')?.toLowerCase()).toBe('strict');
      expect(a.get('path')).toBe('/api/auth/email-code');
    });

    it('a session id (from the session list) is not a session token', async () => {
      const user = await account('session-id');
      const sessions = await user.send('GET', '/api/account/sessions');
      const forged = new Agent(t.url);
      forged.cookies.set('vaultmark_session', sessions.body.items[0].id);
      expectError(await forged.send('GET', '/api/auth/me'), 401, 'unauthenticated');
      const bearer = new Agent(t.url);
      bearer.bearer = sessions.body.items[0].id;
      expectError(await bearer.send('GET', '/api/auth/me'), 401, 'unauthenticated');
    });

    it.each([
      ['an empty cookie', ''],
      ['a cookie of 6 000 characters', 'A'.repeat(6000)],
      ['a cookie with quotes and semicolons', '"abc\\";x=1'],
      ['a cookie of another format', 'vms_abc.def.ghi'],
    ])('%s is just not signed in', async (_name, value) => {
      const answer = await fetch(`${t.url}/api/auth/me`, {
        headers: { Cookie: `vaultmark_session=${value}` },
      });
      expect([400, 401, 431]).toContain(answer.status);
    });
  });

  // Cookie names and flags are set before any database: the extra server runs once.
  describe.runIf(engine === engines[0])('over TLS behind a trusted proxy', () => {
    let tls: TestServer;
    beforeAll(async () => {
      tls = await startServer(engine, { worker: false, env: { TRUST_PROXY: '1' } });
    });
    afterAll(async () => {
      await tls?.stop();
    });
    const https = { 'X-Forwarded-Proto': 'https' };

    it('names the cookie __Host- and marks it Secure', async () => {
      const user = await signUp(
        new Agent(tls.url),
        new Outbox(join(tls.dataDir, 'outbox')),
        uniqueEmail('tls'),
      );
      const login = await signIn(new Agent(tls.url).withEmail(user), { headers: https });
      expect(login.status).toBe(200);
      const cookie = login.setCookies.find((c) => c.includes('vaultmark_session='))!;
      expect(cookie.startsWith('__Host-vaultmark_session=')).toBe(true);
      const a = attributes(cookie);
      expect(a.has('secure')).toBe(true);
      expect(a.get('path')).toBe('/');
      expect(a.has('domain')).toBe(false);
    });

    it('sends HSTS', async () => {
      const answer = await new Agent(tls.url).send('GET', '/healthz', { headers: https });
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    });
  });

  describe('rotation and sign-out', () => {
    it('sign-in issues a new session and ends the one the browser had', async () => {
      const user = await account('rotate');
      const before = user.clone();
      const login = await signIn(user);
      expect(login.status).toBe(200);
      expect(user.session).not.toBe(before.session);
      expect(await alive(user)).toBe(true);
      expectError(await before.send('GET', '/api/auth/me'), 401, 'unauthenticated');
    });

    it("the old session's CSRF token does not work with the new session", async () => {
      const user = await account('rotate-csrf');
      const oldCsrf = user.csrf;
      await signIn(user);
      const forged = user.clone();
      forged.csrf = oldCsrf;
      expectError(
        await forged.send('POST', '/api/folders', { body: { name: 'x' } }),
        403,
        'csrf_failed',
      );
    });

    it('sign-out ends the session on the server, not just the cookie', async () => {
      const user = await account('logout');
      const copy = user.clone();
      expect((await user.send('POST', '/api/auth/logout')).status).toBe(204);
      expectError(await copy.send('GET', '/api/auth/me'), 401, 'unauthenticated');
      expectError(await copy.send('POST', '/api/folders', { body: { name: 'x' } }), 401);
    });

    it('sign-out of one browser leaves the others signed in', async () => {
      const user = await account('logout-one');
      const other = await secondBrowser(user);
      await user.send('POST', '/api/auth/logout');
      expect(await alive(other)).toBe(true);
    });

    it('revoking a session or token from the list ends it at the next request', async () => {
      const user = await account('revoke');
      const other = await secondBrowser(user);
      const bot = await bearerOf(user);
      const sessions = await user.send('GET', '/api/account/sessions');
      for (const s of sessions.body.items as { id: string; current: boolean }[]) {
        if (!s.current) {
          expect((await user.send('DELETE', `/api/account/sessions/${s.id}`)).status).toBe(204);
        }
      }
      expect(await alive(other)).toBe(false);
      expect(await alive(bot)).toBe(false);
      expect(await alive(user)).toBe(true);
    });

    it("cannot revoke another user's session", async () => {
      const a = await account('revoke-a');
      const b = await account('revoke-b');
      const bSessions = await b.send('GET', '/api/account/sessions');
      const answer = await a.send('DELETE', `/api/account/sessions/${bSessions.body.items[0].id}`);
      expectError(answer, 404, 'not_found');
      expect(await alive(b)).toBe(true);
    });
  });

  describe('credential changes end sessions', () => {
    it('a wrong current password changes nothing (401)', async () => {
      const user = await account('pw-wrong');
      const answer = await user.send('POST', '/api/account/password', {
        body: { currentPassword: 'not the password at all', newPassword: 'a new long password' },
      });
      expectError(answer, 401, 'invalid_credentials');
      expect(await alive(user)).toBe(true);
      expect((await signIn(new Agent(t.url).withEmail(user))).status).toBe(200);
    });

    it('a password change renews this session and ends every other one', async () => {
      const user = await account('pw-change');
      const old = user.clone();
      const other = await secondBrowser(user);
      const bot = await bearerOf(user);
      const changed = await user.send('POST', '/api/account/password', {
        body: { currentPassword: PASSWORD, newPassword: 'a brand new long password' },
      });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body.csrfToken).toEqual(expect.any(String));
      expect(changed.setCookies.some((c) => /vaultmark_session=[^;]+/.test(c))).toBe(true);
      user.csrf = changed.body.csrfToken;
      expect(user.session).not.toBe(old.session);
      expect(await alive(user)).toBe(true);
      expect(await alive(old)).toBe(false);
      expect(await alive(other)).toBe(false);
      expect(await alive(bot)).toBe(false);
      const withOld = await signIn(new Agent(t.url).withEmail(user));
      expectError(withOld, 401, 'invalid_credentials');
      const withNew = await signIn(new Agent(t.url).withEmail(user), {
        password: 'a brand new long password',
      });
      expect(withNew.status).toBe(200);
    });

    it('turning two-factor on ends every other session', async () => {
      const user = await account('totp-on');
      const other = await secondBrowser(user);
      const bot = await bearerOf(user);
      await enableTotp(user);
      expect(await alive(user)).toBe(true);
      expect(await alive(other)).toBe(false);
      expect(await alive(bot)).toBe(false);
    });

    it('turning two-factor off ends every session, this one too', async () => {
      const user = await account('totp-off');
      await enableTotp(user);
      const other = await secondBrowser(user).catch(() => undefined);
      const answer = await user.send('POST', '/api/auth/totp/disable', {
        body: { password: user.password },
      });
      expect(answer.status, answer.text).toBe(204);
      expect(await alive(user)).toBe(false);
      if (other) expect(await alive(other)).toBe(false);
    });

    it('scheduling the account for deletion ends every session', async () => {
      const user = await account('delete');
      const other = await secondBrowser(user);
      const bot = await bearerOf(user);
      const answer = await user.send('POST', '/api/account/delete', {
        body: { password: user.password },
      });
      expect(answer.status).toBe(202);
      for (const agent of [user, other, bot]) expect(await alive(agent)).toBe(false);
    });
  });

  it('lists only the caller’s own sessions', async () => {
    const a = await account('list-a');
    const b = await account('list-b');
    await secondBrowser(b);
    const mine = await a.send('GET', '/api/account/sessions');
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0].current).toBe(true);
  });

  it('gives API tokens a bounded life', async () => {
    const user = await account('token-life');
    const issued = await user.send('POST', '/api/auth/tokens', {
      body: { password: user.password },
    });
    const life = Date.parse(issued.body.expiresAt) - Date.now();
    expect(life).toBeGreaterThan(0);
    expect(life).toBeLessThanOrEqual(91 * 86_400_000);
  });
});
