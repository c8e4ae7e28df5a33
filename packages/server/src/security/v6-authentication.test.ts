/**
 * ASVS 5.0 V6 — Authentication. One sign-in state machine: a second factor cannot be skipped by
 * any path (password, emailed code, API token creation), recovery codes work once, registration
 * and sign-in do not reveal which addresses have accounts, and password guessing is throttled per
 * address, per account and for re-authentication, in the database, so the limits hold across
 * servers on one PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@vaultmark/vault-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  type Answer,
  enableTotp,
  expectError,
  nextTotp,
  Outbox,
  prepareServers,
  type SecondFactor,
  signIn,
  signUp,
  startServer,
  uniqueEmail,
  wrongTotp,
} from '../../test/adversary.js';
import {
  engines,
  postgresSchema,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

const servers = await prepareServers();

/** Whether an answer started a session (a non-empty session cookie). */
const startedSession = (answer: Answer) =>
  answer.setCookies.some((c) => /vaultmark_session=[^;]+/.test(c));

describe.each(engines)('V6 authentication on %s', (engine) => {
  let t: TestServer;
  let outbox: Outbox;
  const fresh = () => new Agent(t.url);
  const account = (label: string) => signUp(fresh(), outbox, uniqueEmail(label));

  beforeAll(async () => {
    t = await servers.take(engine);
    outbox = new Outbox(join(t.dataDir, 'outbox'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Asks for an emailed sign-in code in `agent`'s browser and reads it from the outbox. */
  async function emailCode(agent: Agent, email: string): Promise<string> {
    outbox.skip(email);
    const asked = await agent.send('POST', '/api/auth/email-code', { body: { email } });
    expect(asked.status).toBe(202);
    return Outbox.code(await outbox.next(email))!;
  }

  describe('password sign-in with two-factor on', () => {
    let user: Agent;
    let factor: SecondFactor;
    let usedTotp: string;
    beforeAll(async () => {
      user = await account('totp-password');
      factor = await enableTotp(user);
    });

    it('without a second factor: 401 two_factor_required and no session', async () => {
      const answer = await signIn(fresh().withEmail(user));
      expectError(answer, 401, 'two_factor_required');
      expect(startedSession(answer)).toBe(false);
    });

    it('with a wrong password and no TOTP: invalid_credentials, not two_factor_required', async () => {
      // Otherwise the answer would confirm the password to whoever guesses it.
      const answer = await signIn(fresh().withEmail(user), { password: 'not the password at all' });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with a wrong TOTP: 401 invalid_credentials and no session', async () => {
      const answer = await signIn(fresh().withEmail(user), { totp: wrongTotp(factor.secret) });
      expectError(answer, 401, 'invalid_credentials');
      expect(startedSession(answer)).toBe(false);
    });

    it('with a wrong password and the right TOTP: 401 invalid_credentials', async () => {
      const answer = await signIn(fresh().withEmail(user), {
        password: 'not the password at all',
        totp: wrongTotp(factor.secret),
      });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with a recovery code as the TOTP of a wrong password: 401, and the code is not spent', async () => {
      const answer = await signIn(fresh().withEmail(user), {
        password: 'not the password at all',
        totp: factor.recoveryCodes[5]!,
      });
      expectError(answer, 401, 'invalid_credentials');
      const later = await signIn(fresh().withEmail(user), { totp: factor.recoveryCodes[5]! });
      expect(later.status).toBe(200);
    });

    it('with the right TOTP: 200 and a session', async () => {
      usedTotp = nextTotp(factor.secret);
      const answer = await signIn(fresh().withEmail(user), { totp: usedTotp });
      expect(answer.status, answer.text).toBe(200);
      expect(startedSession(answer)).toBe(true);
    });

    it('the same TOTP a second time: 401 (each time step signs in once)', async () => {
      const answer = await signIn(fresh().withEmail(user), { totp: usedTotp });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with a recovery code: 200, and the same code again: 401', async () => {
      const code = factor.recoveryCodes[0]!;
      expect((await signIn(fresh().withEmail(user), { totp: code })).status).toBe(200);
      const again = await signIn(fresh().withEmail(user), { totp: code });
      expectError(again, 401, 'invalid_credentials');
    });

    it('a recovery code in another spelling (lower case, dashes) is the same code, spent once', async () => {
      const code = factor.recoveryCodes[1]!;
      const spelled = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase();
      expect((await signIn(fresh().withEmail(user), { totp: spelled })).status).toBe(200);
      expectError(
        await signIn(fresh().withEmail(user), { totp: code }),
        401,
        'invalid_credentials',
      );
    });
  });

  describe('emailed-code sign-in with two-factor on', () => {
    let user: Agent;
    let factor: SecondFactor;
    beforeAll(async () => {
      user = await account('totp-email');
      factor = await enableTotp(user);
    });

    it('the code alone: 401 two_factor_required and no session cookie', async () => {
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const answer = await browser.send('POST', '/api/auth/email-code/verify', { body: { code } });
      expectError(answer, 401, 'two_factor_required');
      expect(startedSession(answer)).toBe(false);
      expect((await browser.send('GET', '/api/auth/me')).status).toBe(401);
    });

    it('the code and a wrong TOTP: 401 invalid_credentials', async () => {
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const answer = await browser.send('POST', '/api/auth/email-code/verify', {
        body: { code, totp: wrongTotp(factor.secret) },
      });
      expectError(answer, 401, 'invalid_credentials');
      expect(startedSession(answer)).toBe(false);
    });

    it('the code and the right TOTP: 200', async () => {
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const answer = await browser.send('POST', '/api/auth/email-code/verify', {
        body: { code, totp: nextTotp(factor.secret) },
      });
      expect(answer.status, answer.text).toBe(200);
      expect(startedSession(answer)).toBe(true);
      browser.csrf = answer.body.csrfToken;
      expect((await browser.send('GET', '/api/auth/me')).status).toBe(200);
    });

    it('the code and a recovery code: 200; that recovery code is then spent everywhere', async () => {
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const recovery = factor.recoveryCodes[2]!;
      const answer = await browser.send('POST', '/api/auth/email-code/verify', {
        body: { code, totp: recovery },
      });
      expect(answer.status, answer.text).toBe(200);
      const again = await signIn(fresh().withEmail(user), { totp: recovery });
      expectError(again, 401, 'invalid_credentials');
    });

    it('a code with the TOTP, but from another browser: 401', async () => {
      // Another account: the server may stop mailing codes to one address after a few.
      const other = await account('totp-email-2');
      const otherFactor = await enableTotp(other);
      const code = await emailCode(fresh(), other.email);
      const answer = await fresh().send('POST', '/api/auth/email-code/verify', {
        body: { code, totp: otherFactor.recoveryCodes[3]! },
      });
      expectError(answer, 401, 'invalid_credentials');
    });
  });

  describe('emailed-code sign-in without two-factor', () => {
    it('works once per code', async () => {
      const user = await account('email-once');
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const first = await browser.send('POST', '/api/auth/email-code/verify', { body: { code } });
      expect(first.status, first.text).toBe(200);
      const again = await browser.send('POST', '/api/auth/email-code/verify', { body: { code } });
      expectError(again, 401, 'invalid_credentials');
    });

    it('burns the code after five wrong guesses', async () => {
      const user = await account('email-guess');
      const browser = fresh();
      const code = await emailCode(browser, user.email);
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 5; i++) {
        const guess = await browser.send('POST', '/api/auth/email-code/verify', {
          body: { code: wrong },
        });
        expectError(guess, [401, 429]);
      }
      const late = await browser.send('POST', '/api/auth/email-code/verify', { body: { code } });
      expectError(late, [401, 429]);
      expect(startedSession(late)).toBe(false);
    });

    it('answers the same for an address without an account', async () => {
      const known = await account('email-known');
      const a = await fresh().send('POST', '/api/auth/email-code', {
        body: { email: known.email },
      });
      const b = await fresh().send('POST', '/api/auth/email-code', {
        body: { email: uniqueEmail('email-unknown') },
      });
      expect([a.status, a.body]).toEqual([b.status, b.body]);
    });
  });

  describe('API token creation re-authenticates', () => {
    let plain: Agent;
    let user: Agent;
    let factor: SecondFactor;
    beforeAll(async () => {
      plain = await account('token-plain');
      user = await account('token-totp');
      factor = await enableTotp(user);
    });

    it('without a password: refused', async () => {
      const answer = await plain.send('POST', '/api/auth/tokens');
      expectError(answer, [400, 401]);
      expect(answer.body.token).toBeUndefined();
    });

    it('with a wrong password: 401 invalid_credentials', async () => {
      const answer = await plain.send('POST', '/api/auth/tokens', {
        body: { password: 'not the password at all' },
      });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with the password: 201', async () => {
      const answer = await plain.send('POST', '/api/auth/tokens', {
        body: { password: plain.password },
      });
      expect(answer.status, answer.text).toBe(201);
    });

    it('with two-factor on and a wrong password only: invalid_credentials (no oracle)', async () => {
      const answer = await user.send('POST', '/api/auth/tokens', {
        body: { password: 'not the password at all' },
      });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with two-factor on and the password only: 401 two_factor_required', async () => {
      const answer = await user.send('POST', '/api/auth/tokens', {
        body: { password: user.password },
      });
      expectError(answer, 401, 'two_factor_required');
    });

    it('with two-factor on and a wrong TOTP: 401 invalid_credentials', async () => {
      const answer = await user.send('POST', '/api/auth/tokens', {
        body: { password: user.password, totp: wrongTotp(factor.secret) },
      });
      expectError(answer, 401, 'invalid_credentials');
    });

    it('with two-factor on, the password and the TOTP: 201', async () => {
      const answer = await user.send('POST', '/api/auth/tokens', {
        body: { password: user.password, totp: nextTotp(factor.secret) },
      });
      expect(answer.status, answer.text).toBe(201);
    });

    it('with two-factor on, the password and a recovery code: 201, once', async () => {
      const body = { password: user.password, totp: factor.recoveryCodes[0]! };
      expect((await user.send('POST', '/api/auth/tokens', { body })).status).toBe(201);
      expectError(
        await user.send('POST', '/api/auth/tokens', { body }),
        401,
        'invalid_credentials',
      );
    });

    it('a bearer token cannot mint another without the password', async () => {
      const issued = await plain.send('POST', '/api/auth/tokens', {
        body: { password: plain.password },
      });
      const script = fresh();
      script.bearer = issued.body.token;
      const minted = await script.send('POST', '/api/auth/tokens', {
        body: { password: 'not the password at all' },
      });
      expectError(minted, 401, 'invalid_credentials');
    });
  });

  describe('registration does not reveal accounts', () => {
    it('answers a taken address exactly like a new one', async () => {
      const taken = await account('taken');
      const fresh1 = fresh();
      const fresh2 = fresh();
      const newEmail = uniqueEmail('brand-new');
      const a = await fresh1.send('POST', '/api/auth/register', {
        body: { email: newEmail, password: 'a long enough password', displayName: 'New' },
      });
      const b = await fresh2.send('POST', '/api/auth/register', {
        body: {
          email: taken.email.toUpperCase(),
          password: 'a long enough password',
          displayName: 'Mallory',
        },
      });
      expect(a.status).toBe(202);
      expect(a.body).toEqual({ verification: 'sent' });
      expect([b.status, b.body]).toEqual([a.status, a.body]);
      const cookieNames = (x: Answer) => x.setCookies.map((c) => c.split('=')[0]).sort();
      expect(cookieNames(b)).toEqual(cookieNames(a));
    });

    it('emails a code to a new address and only a notice to the owner of a taken one', async () => {
      const taken = await account('taken-mail');
      outbox.skip(taken.email);
      const email = uniqueEmail('new-mail');
      await fresh().send('POST', '/api/auth/register', {
        body: { email, password: 'a long enough password', displayName: 'New' },
      });
      await fresh().send('POST', '/api/auth/register', {
        body: { email: taken.email, password: 'a long enough password', displayName: 'Mallory' },
      });
      expect(Outbox.code(await outbox.next(email))).toMatch(/^\d{6}$/);
      const notice = await outbox.next(taken.email);
      expect(Outbox.code(notice)).toBeUndefined();
      expect(notice).not.toContain('Mallory');
    });

    it('finishes only with the right code, in the browser that asked, once', async () => {
      const email = uniqueEmail('verify');
      const browser = fresh();
      outbox.skip(email);
      await browser.send('POST', '/api/auth/register', {
        body: { email, password: 'a long enough password', displayName: 'Verifier' },
      });
      const code = Outbox.code(await outbox.next(email))!;
      const wrong = await browser.send('POST', '/api/auth/register/verify', {
        body: { code: code === '999999' ? '999998' : '999999' },
      });
      expectError(wrong, 401);
      const elsewhere = await fresh().send('POST', '/api/auth/register/verify', { body: { code } });
      expectError(elsewhere, 401);
      expect(startedSession(elsewhere)).toBe(false);
      const done = await browser.send('POST', '/api/auth/register/verify', { body: { code } });
      expect(done.status, done.text).toBe(201);
      expect(Object.keys(done.body).sort()).toEqual(
        expect.arrayContaining(['csrfToken', 'expiresAt', 'organizationId', 'userId']),
      );
      expect(startedSession(done)).toBe(true);
      const again = await browser.send('POST', '/api/auth/register/verify', { body: { code } });
      expectError(again, [401, 409]);
    });

    it('burns a sign-up code after five wrong guesses', async () => {
      const email = uniqueEmail('signup-guess');
      const browser = fresh();
      outbox.skip(email);
      await browser.send('POST', '/api/auth/register', {
        body: { email, password: 'a long enough password', displayName: 'Guesser' },
      });
      const code = Outbox.code(await outbox.next(email))!;
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 5; i++) {
        const guess = await browser.send('POST', '/api/auth/register/verify', {
          body: { code: wrong },
        });
        expectError(guess, [401, 429]);
      }
      const late = await browser.send('POST', '/api/auth/register/verify', { body: { code } });
      expectError(late, [401, 429]);
      expect(startedSession(late)).toBe(false);
    });

    it('a sign-up of a taken address cannot be finished by guessing a code', async () => {
      const taken = await account('taken-guess');
      const browser = fresh();
      await browser.send('POST', '/api/auth/register', {
        body: { email: taken.email, password: 'a long enough password', displayName: 'Mallory' },
      });
      for (const code of ['000000', '123456', '111111', '999999', '424242', '654321']) {
        const answer = await browser.send('POST', '/api/auth/register/verify', { body: { code } });
        expectError(answer, [401, 429]);
        expect(startedSession(answer)).toBe(false);
      }
      // The owner's account is untouched: their password still signs in.
      expect((await signIn(fresh().withEmail(taken))).status).toBe(200);
    });

    it.each([
      ['a short password', 'short'],
      ['a password over 4 KiB', 'p'.repeat(5000)],
    ])('refuses %s before sending anything', async (_name, password) => {
      const email = uniqueEmail('weak');
      const answer = await fresh().send('POST', '/api/auth/register', {
        body: { email, password, displayName: 'Weak' },
      });
      expectError(answer, 400);
      expect(outbox.all(email)).toEqual([]);
    });

    it('sign-in answers an unknown address exactly like a wrong password', async () => {
      const known = await account('known');
      const a = await fresh().send('POST', '/api/auth/login', {
        body: { email: known.email, password: 'not the password at all' },
      });
      const b = await fresh().send('POST', '/api/auth/login', {
        body: { email: uniqueEmail('ghost'), password: 'not the password at all' },
      });
      expect([a.status, a.body]).toEqual([b.status, b.body]);
      expectError(a, 401, 'invalid_credentials');
    });
  });

  describe('throttling', () => {
    /** Servers with their rate limits on, behind a trusted proxy (so addresses can vary). */
    const limited: TestServer[] = [];
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const env = { TRUST_PROXY: '1' };
      if (engine === 'postgres') {
        // Two servers on one PostgreSQL, as behind a load balancer: one KEK, one database.
        const shared = mkdtempSync(join(tmpdir(), 'vaultmark-limits-'));
        const pg = await postgresSchema();
        const open = () => openDatabase({ url: pg.url, schema: pg.schema, poolMax: 4 });
        const sharedEnv = { ...env, VAULTMARK_KEK_FILE: join(shared, 'kek.key') };
        limited.push(
          await startTestServer('postgres', {
            rateLimits: true,
            worker: false,
            env: sharedEnv,
            database: await open(),
          }),
        );
        limited.push(
          await startTestServer('postgres', {
            rateLimits: true,
            worker: false,
            env: sharedEnv,
            database: await open(),
          }),
        );
        cleanup = async () => {
          rmSync(shared, { recursive: true, force: true });
          await pg.drop();
        };
      } else {
        limited.push(await startServer('pglite', { rateLimits: true, worker: false, env }));
      }
    });
    afterAll(async () => {
      for (const server of limited) await server.stop();
      await cleanup?.();
    });

    let address = 0;
    /** A new client address for each request (X-Forwarded-For through the trusted proxy). */
    const from = () => ({ 'X-Forwarded-For': `198.51.100.${(address++ % 250) + 1}` });
    const limitedAccount = async (label: string, server = limited[0]!) =>
      signUp(new Agent(server.url), new Outbox(join(server.dataDir, 'outbox')), uniqueEmail(label));

    it('locks password sign-in of one account after 10 failures, from any number of addresses', async () => {
      const user = await limitedAccount('lockout');
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const guess = await signIn(new Agent(user.base).withEmail(user), {
          password: `guess number ${i}`,
          headers: from(),
        });
        statuses.push(guess.status);
      }
      expect(statuses).toEqual(Array(10).fill(401));
      const right = await signIn(new Agent(user.base).withEmail(user), { headers: from() });
      expectError(right, 429, 'rate_limited');
    });

    it('shares one re-authentication budget between every password re-check', async () => {
      const user = await limitedAccount('reauth');
      const wrong = 'not the password at all';
      const attempts: [string, string, unknown][] = [
        ['POST', '/api/account/delete', { password: wrong }],
        ['POST', '/api/auth/totp/disable', { password: wrong }],
        [
          'POST',
          '/api/account/password',
          { currentPassword: wrong, newPassword: 'another long password' },
        ],
        ['POST', '/api/auth/tokens', { password: wrong }],
        ['POST', '/api/account/delete', { password: wrong }],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await user.send(method, path, { body });
        expect(answer.status, `${path}: ${answer.text}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, path).toBeLessThan(500);
      }
      for (const [path, body] of [
        ['/api/auth/tokens', { password: user.password }],
        ['/api/account/delete', { password: user.password }],
        ['/api/account/password', { currentPassword: user.password, newPassword: 'x'.repeat(20) }],
      ] as const) {
        expectError(await user.send('POST', path, { body }), 429, 'rate_limited');
      }
      // The account itself is untouched.
      expect((await user.send('GET', '/api/auth/me')).status).toBe(200);
    });

    it('limits sign-in per address over every server of the deployment', async () => {
      const headers = { 'X-Forwarded-For': '203.0.113.77' };
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) {
        const server = limited[i % limited.length]!;
        const answer = await new Agent(server.url).send('POST', '/api/auth/login', {
          body: { email: uniqueEmail('nobody'), password: `guess ${i}` },
          headers,
        });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
    });

    it('limits one account over every server of the deployment', async () => {
      const user = await limitedAccount('lockout-spread');
      for (let i = 0; i < 10; i++) {
        const server = limited[i % limited.length]!;
        await signIn(new Agent(server.url).withEmail(user), {
          password: `guess number ${i}`,
          headers: from(),
        });
      }
      const server = limited[limited.length - 1]!;
      const right = await signIn(new Agent(server.url).withEmail(user), { headers: from() });
      expectError(right, 429, 'rate_limited');
    });
  });
});
