/**
 * ASVS 5.0 V16 — Security Logging and Error Handling. Sign-in attempts land in the account's
 * login log, failures included, without the guessed secret or the raw address; every security-
 * relevant change lands in the tenant's audit trail with its actor, without the tokens it
 * created; the trail verifies after the attacks; every answer carries a request id that a client
 * cannot poison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildWorld,
  expectError,
  prepareServers,
  signIn,
  type World,
} from '../../test/adversary.js';
import { engines } from '../../test/vault-server.js';

const servers = await prepareServers();

describe.each(engines)('V16 security logging on %s', (engine) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  describe('the login log', () => {
    const guess = 'my-guessed-password-7781';
    let user: Agent;
    let log: { outcome: string; method: string; ipHash: string | null }[];
    let logText: string;
    beforeAll(async () => {
      user = await w.newcomer('logged');
      await signIn(new Agent(w.t.url).withEmail(user), { password: guess });
      expect((await signIn(new Agent(w.t.url).withEmail(user))).status).toBe(200);
      const answer = await user.send('GET', '/api/account/logins');
      log = answer.body.items;
      logText = answer.text;
    });

    it('records a failed password sign-in', () => {
      expect(log.some((e) => e.outcome === 'failure')).toBe(true);
    });

    it('records a successful sign-in with its method', () => {
      expect(log.some((e) => e.outcome === 'success' && /password/.test(e.method))).toBe(true);
    });

    it('never records the guessed password', () => {
      expect(logText).not.toContain(guess);
    });

    it('records client addresses only as hashes', () => {
      expect(logText).not.toContain('127.0.0.1');
      for (const e of log) if (e.ipHash) expect(e.ipHash).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("is the caller's own: another user sees none of it", async () => {
      const other = await w.attacker.agent.send('GET', '/api/account/logins');
      expect(other.text).not.toContain(user.email);
      expect(other.body.items.every((e: { outcome: string }) => e.outcome === 'success')).toBe(
        true,
      );
    });
  });

  describe('the audit trail', () => {
    const actionsSince = async (agent: Agent, seq: number) => {
      const answer = await agent.send('GET', '/api/audit?limit=1000');
      return (answer.body.items as { seq: number; action: string; actorId: string | null }[])
        .filter((e) => e.seq > seq)
        .map((e) => ({ action: e.action, actorId: e.actorId }));
    };
    const lastSeq = async (agent: Agent) =>
      ((await agent.send('GET', '/api/audit?limit=1')).body.items[0]?.seq as number) ?? 0;

    const changes: [string, RegExp, (w: World) => Promise<unknown>][] = [
      [
        'a share revocation',
        /^share\.revoke$/,
        (w) =>
          w.attacker.agent.send('POST', `/api/shares/${w.attacker.fx.shareId}/revoke`, {
            body: { recipientId: w.attacker.fx.recipientId },
          }),
      ],
      [
        'a guest token revocation',
        /^guest_token\.revoke$/,
        (w) => w.attacker.agent.send('DELETE', `/api/guest-tokens/${w.attacker.fx.guestTokenId}`),
      ],
      [
        'a watermark key rotation',
        /^watermark_key\./,
        (w) => w.attacker.agent.send('POST', '/api/watermark-keys/rotate'),
      ],
      [
        'a retention change',
        /^organization\.retention$/,
        (w) =>
          w.attacker.agent.send('PUT', '/api/organization/retention', {
            body: { accessLogDays: 400, trackDays: null },
          }),
      ],
      [
        'a share settings change',
        /^share\.settings$/,
        (w) =>
          w.attacker.agent.send('PUT', '/api/share-settings', {
            body: { defaultExpiryDays: 5, maxExpiryDays: 20 },
          }),
      ],
      [
        'a folder deletion',
        /^folder\.delete$/,
        (w) => w.attacker.agent.send('DELETE', `/api/folders/${w.attacker.fx.folderId}`),
      ],
    ];
    it.each(changes)('records %s with its actor', async (_name, action, change) => {
      const before = await lastSeq(w.attacker.agent);
      await change(w);
      const events = await actionsSince(w.attacker.agent, before);
      expect(events.map((e) => e.action)).toEqual(
        expect.arrayContaining([expect.stringMatching(action)]),
      );
      const event = events.find((e) => action.test(e.action))!;
      expect(event.actorId).toBe(w.attacker.fx.userId);
    });

    it('records studio membership changes (invitation, role, removal)', async () => {
      const owner = await w.newcomer('audited-studio');
      owner.organization = (
        await owner.send('POST', '/api/organizations', { body: { name: 'Audited Studio' } })
      ).body.id;
      const member = await w.newcomer('audited-member');
      await owner.send('PUT', '/api/organization/members', {
        body: { email: member.email, role: 'member' },
      });
      const invitations = await member.send('GET', '/api/invitations');
      for (const inv of (invitations.body?.items ?? []) as { id: string }[]) {
        await member.send('POST', `/api/invitations/${inv.id}/accept`);
      }
      await owner.send('PUT', '/api/organization/members', {
        body: { email: member.email, role: 'admin' },
      });
      await owner.send('DELETE', `/api/organization/members/${member.userId}`);
      const actions = (await actionsSince(owner, 0)).map((e) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^member\.invite$/),
          expect.stringMatching(/^member\.role$/),
          expect.stringMatching(/^member\.remove$/),
        ]),
      );
    });

    it('holds no secret: no link token, guest token or password', async () => {
      const granted = await w.attacker.agent.send('POST', '/api/guest-tokens', {
        body: {
          label: 'audited guest',
          trackId: w.attacker.fx.trackId,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      const audit = await w.attacker.agent.send('GET', '/api/audit?limit=1000');
      expect(audit.text).not.toContain(granted.body.token);
      expect(audit.text).not.toContain(w.attacker.fx.shareToken);
      expect(audit.text).not.toContain(w.attacker.agent.password);
      expect(audit.text).not.toContain('127.0.0.1');
    });

    it('is readable by admins of the tenant only', async () => {
      const answer = await w.victim.agent.send('GET', '/api/audit?limit=1000');
      for (const secret of w.attacker.secrets) expect(answer.text).not.toContain(secret);
    });

    it("verifies after everything this file's attackers did", async () => {
      for (const tenant of [w.victim, w.attacker]) {
        const verified = await tenant.agent.send('GET', '/api/audit/verify');
        expect(verified.body).toMatchObject({ ok: true, problems: [] });
      }
    });
  });

  describe('request ids', () => {
    it.each([
      ['a JSON answer', '/api/auth/me'],
      ['an error', '/api/tracks/not-a-uuid'],
      ['a page', '/signin'],
      ['an unknown path', '/nothing/here'],
    ])('every answer carries one: %s', async (_name, path) => {
      const answer = await w.attacker.agent.send('GET', path);
      expect(answer.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{8,128}$/);
    });

    it.each([
      ['markup', '<script>alert(1)</script>'],
      ['spaces and quotes', 'a b "c" d e f g'],
      ['500 characters', 'r'.repeat(500)],
      ['a log-line forgery', 'abcdefgh\\n{"level":60}'],
    ])('a client-sent id with %s is replaced', async (_name, id) => {
      const answer = await w.attacker.agent.send('GET', '/api/auth/me', {
        headers: { 'X-Request-Id': id },
      });
      expect(answer.headers.get('x-request-id')).not.toBe(id);
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('errors name the request, not the internals', async () => {
      const answer = await w.attacker.agent.send('GET', '/api/tracks/not-a-uuid');
      expectError(answer, 400, 'validation_failed');
      expect(answer.text).not.toMatch(/stack|at Object\.|node:internal/);
    });
  });
});
