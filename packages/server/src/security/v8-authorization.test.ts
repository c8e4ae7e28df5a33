/**
 * ASVS 5.0 V8 — Authorization. Tenant isolation is attacked route by route from the published
 * OpenAPI document: every signed-in route that takes an id in its path is called by another
 * tenant's user with the victim's real ids (404, none of the victim's data in the body, and the
 * victim's things unchanged afterwards). Then roles, organization scoping, invitations, guest
 * tokens and recipient links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  type Answer,
  buildWorld,
  expectError,
  fillPath,
  invitationIds,
  noiseWav,
  type Operation,
  paramValue,
  prepareServers,
  sampleRequestBody,
  signUp,
  uniqueEmail,
  uploadTrack,
  type World,
} from '../../test/adversary.js';
import { engines } from '../../test/vault-server.js';

const servers = await prepareServers();
const ops = servers.operations;
const idRoutes = ops.filter((op) => op.auth === 'user' && op.params.length > 0);
const userGets = ops.filter((op) => op.auth === 'user' && op.method === 'GET');

/** Routes that act on the caller's own account or sessions, not on a tenant's things. */
const noBodyLeak = (answer: Answer, secrets: string[]) => {
  for (const secret of secrets) expect(answer.text, `leaks ${secret}`).not.toContain(secret);
};

describe.each(engines)('V8 authorization on %s', (engine) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  it('knows a victim fixture for every path parameter of every signed-in route', () => {
    const unknown = idRoutes.flatMap((op) =>
      op.params
        .filter((p) => paramValue(w.victim.fx, op.path, p) === undefined)
        .map((p) => `${op.key} {${p}}`),
    );
    // A new route with a new kind of id: add it to `paramValue` (test/adversary.ts) so it is
    // attacked with a real id of the victim, not a random one.
    expect(unknown).toEqual([]);
  });

  it.each(idRoutes.map((op) => [op.key, op] as const))(
    "%s with another tenant's id answers 404 and shows nothing of it",
    async (_key, op: Operation) => {
      const path = fillPath(
        op.path,
        (p) => paramValue(w.victim.fx, op.path, p),
        w.victim.fx.trackId,
      );
      const answer = await w.attacker.agent.send(
        op.method,
        path,
        sampleRequestBody(op, w.attacker.fx),
      );
      expectError(answer, 404, 'not_found');
      noBodyLeak(answer, w.victim.secrets);
    },
  );

  it.each(userGets.map((op) => [op.key, op] as const))(
    "%s scoped to another tenant's organization answers 404",
    async (_key, op: Operation) => {
      const spoof = w.attacker.agent.clone();
      spoof.organization = w.victim.fx.organizationId;
      const path = fillPath(op.path, (p) => paramValue(w.victim.fx, op.path, p));
      const answer = await spoof.send('GET', path);
      expectError(answer, 404, 'not_found');
      noBodyLeak(answer, w.victim.secrets);
    },
  );

  it("leaves every one of the victim's things as it was", async () => {
    const v = w.victim;
    const track = await v.agent.send('GET', `/api/tracks/${v.fx.trackId}`);
    expect(track.status).toBe(200);
    expect(track.body.title).toBe(v.fx.trackTitle);
    const share = await v.agent.send('GET', `/api/shares/${v.fx.shareId}`);
    expect(share.body.status).toBe('active');
    expect(share.body.recipients.every((r: { revokedAt: unknown }) => r.revokedAt === null)).toBe(
      true,
    );
    const folders = await v.agent.send('GET', '/api/folders');
    expect(folders.body.items.map((f: { id: string }) => f.id)).toContain(v.fx.folderId);
    const guests = await v.agent.send('GET', '/api/guest-tokens');
    expect(guests.body.items[0].revokedAt).toBeNull();
    const sessions = await v.agent.send('GET', '/api/account/sessions');
    expect(sessions.status).toBe(200);
    expect(sessions.body.items.map((s: { id: string }) => s.id)).toContain(v.fx.sessionId);
    const members = await v.agent.send('GET', '/api/organization/members');
    expect(members.body.items).toHaveLength(1);
    const orgs = await v.agent.send('GET', '/api/organizations');
    expect(orgs.body.items.map((o: { id: string }) => o.id)).not.toContain(
      w.attacker.fx.organizationId,
    );
  });

  it('lists nothing of another tenant in any collection', async () => {
    for (const op of ops.filter(
      (o) => o.auth === 'user' && o.method === 'GET' && o.params.length === 0,
    )) {
      const answer = await w.attacker.agent.send('GET', op.path);
      expect(answer.status, op.key).toBeLessThan(500);
      noBodyLeak(answer, w.victim.secrets);
    }
  });

  it('ignores a tenant id smuggled into a body (mass assignment)', async () => {
    const folder = await w.attacker.agent.send('POST', '/api/folders', {
      body: { name: 'smuggled', tenantId: w.victim.fx.organizationId },
    });
    if (folder.status === 201) {
      const victims = await w.victim.agent.send('GET', '/api/folders');
      expect(victims.body.items.map((f: { name: string }) => f.name)).not.toContain('smuggled');
    } else {
      expectError(folder, 400, 'validation_failed');
    }
    const patched = await w.attacker.agent.send('PATCH', `/api/tracks/${w.attacker.fx.trackId}`, {
      body: { title: 'moved', tenantId: w.victim.fx.organizationId },
    });
    expectError(patched, 400, 'validation_failed');
  });

  it("refuses a share of another tenant's track", async () => {
    const answer = await w.attacker.agent.send('POST', '/api/shares', {
      body: {
        trackIds: [w.victim.fx.trackId],
        recipients: [{ name: 'Fence', email: 'fence@example.com' }],
      },
    });
    expect([400, 404]).toContain(answer.status);
    noBodyLeak(answer, w.victim.secrets);
  });

  it("refuses a guest token for another tenant's track or folder", async () => {
    for (const scope of [{ trackId: w.victim.fx.trackId }, { folderId: w.victim.fx.folderId }]) {
      const answer = await w.attacker.agent.send('POST', '/api/guest-tokens', {
        body: {
          label: 'exfiltrate',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          ...scope,
        },
      });
      expect([400, 404]).toContain(answer.status);
      noBodyLeak(answer, w.victim.secrets);
    }
  });

  it("does not file a track into another tenant's folder", async () => {
    const answer = await w.attacker.agent.send('PATCH', `/api/tracks/${w.attacker.fx.trackId}`, {
      body: { folderId: w.victim.fx.folderId },
    });
    expect([400, 404]).toContain(answer.status);
  });

  it("does not create a folder inside another tenant's folder", async () => {
    const answer = await w.attacker.agent.send('POST', '/api/folders', {
      body: { name: 'nested', parentId: w.victim.fx.folderId },
    });
    expect([400, 404]).toContain(answer.status);
  });

  describe('roles inside one studio', () => {
    let owner: Agent;
    let member: Agent;
    let studio: string;
    /** The studio's things, made by its owner: what admin-only routes act on. */
    const things = { trackId: '', folderId: '', guestTokenId: '' };
    beforeAll(async () => {
      owner = await w.newcomer('studio-owner');
      member = await w.newcomer('studio-member');
      studio = (await owner.send('POST', '/api/organizations', { body: { name: 'Role Studio' } }))
        .body.id;
      owner.organization = studio;
      await join(owner, member, 'member');
      member.organization = studio;
      things.trackId = await uploadTrack(owner, 'Studio Take', 12);
      things.folderId = (
        await owner.send('POST', '/api/folders', { body: { name: 'Studio' } })
      ).body.id;
      things.guestTokenId = (
        await owner.send('POST', '/api/guest-tokens', {
          body: {
            label: 'studio guest',
            trackId: things.trackId,
            expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          },
        })
      ).body.guestToken.id;
    });

    /** Invites (or adds) `who` and has them accept when the server uses invitations. */
    async function join(admin: Agent, who: Agent, role: string) {
      const before = new Set(await invitationIds(who));
      const put = await admin.send('PUT', '/api/organization/members', {
        body: { email: who.email, role },
      });
      expect(put.status, put.text).toBeLessThan(300);
      const invitation = (await invitationIds(who)).find((id) => !before.has(id));
      if (invitation) {
        const accepted = await who.send('POST', `/api/invitations/${invitation}/accept`);
        expect(accepted.status, accepted.text).toBeLessThan(300);
      }
      // Role checks mean nothing unless the member really is one.
      const orgs = await who.send('GET', '/api/organizations');
      expect(orgs.body.items.map((o: { id: string }) => o.id)).toContain(admin.organization);
    }

    /** Placeholders `{trackId}`, `{folderId}`, `{guestTokenId}` become the studio's things. */
    const fill = <T>(value: T): T =>
      JSON.parse(
        JSON.stringify(value)
          .replace(
            /\{(trackId|folderId|guestTokenId)\}/g,
            (_m, key: keyof typeof things) => things[key],
          )
          .replace('{tomorrow}', new Date(Date.now() + 86_400_000).toISOString()),
      );
    const adminOnly: [string, string, unknown?][] = [
      ['PUT', '/api/organization/members', { email: 'someone@example.com', role: 'member' }],
      ['PUT', '/api/share-settings', { defaultExpiryDays: 1, maxExpiryDays: 2 }],
      ['POST', '/api/watermark-keys/rotate'],
      ['GET', '/api/watermark-keys'],
      ['GET', '/api/audit'],
      ['GET', '/api/audit/verify'],
      ['PUT', '/api/organization/retention', { accessLogDays: 1, trackDays: null }],
      ['POST', '/api/organization/export', { passphrase: 'a long export passphrase' }],
      ['POST', '/api/organization/delete'],
      ['GET', '/api/organization/invitations'],
      ['DELETE', '/api/folders/{folderId}'],
      ['DELETE', '/api/guest-tokens/{guestTokenId}'],
      [
        'POST',
        '/api/guest-tokens',
        { label: 'member guest', trackId: '{trackId}', expiresAt: '{tomorrow}' },
      ],
    ];
    it.each(adminOnly)('a member is refused %s %s', async (method, path, body) => {
      const answer = await member.send(
        method,
        fill(path),
        body === undefined ? {} : { body: fill(body) },
      );
      expectError(answer, [403, 404]);
    });

    it("the admin-only refusals changed none of the studio's things", async () => {
      const folders = await owner.send('GET', '/api/folders');
      expect(folders.body.items.map((f: { id: string }) => f.id)).toContain(things.folderId);
      const guests = await owner.send('GET', '/api/guest-tokens');
      expect(guests.body.items).toHaveLength(1);
      expect(guests.body.items[0].revokedAt).toBeNull();
      const orgs = await owner.send('GET', '/api/organizations');
      const here = orgs.body.items.find((o: { id: string }) => o.id === studio);
      expect(here.deleteAfter).toBeNull();
    });

    it('a member cannot promote themselves', async () => {
      const answer = await member.send('PUT', '/api/organization/members', {
        body: { email: member.email, role: 'owner' },
      });
      expectError(answer, [403, 404]);
      const members = await owner.send('GET', '/api/organization/members');
      const me = members.body.items.find((m: { email: string }) => m.email === member.email);
      expect(me.role).toBe('member');
    });

    it('a member cannot remove the owner', async () => {
      const answer = await member.send('DELETE', `/api/organization/members/${owner.userId}`);
      expectError(answer, [403, 404]);
    });

    it("a member cannot delete another member's track", async () => {
      const form = new FormData();
      form.set('file', new Blob([noiseWav(0.5, 3)]), 'Owner Take.wav');
      const track = await owner.send('POST', '/api/tracks', { body: form });
      expect(track.status).toBe(201);
      const answer = await member.send('DELETE', `/api/tracks/${track.body.id}`);
      expectError(answer, [403, 404]);
      expect((await owner.send('GET', `/api/tracks/${track.body.id}`)).status).toBe(200);
    });

    it('a removed member loses the studio at the next request', async () => {
      const leaver = await w.newcomer('leaver');
      await join(owner, leaver, 'admin');
      leaver.organization = studio;
      expect((await leaver.send('GET', '/api/tracks')).status).toBe(200);
      expect(
        (await owner.send('DELETE', `/api/organization/members/${leaver.userId}`)).status,
      ).toBe(204);
      expectError(await leaver.send('GET', '/api/tracks'), 404, 'not_found');
    });
  });

  describe('memberships by invitation', () => {
    let owner: Agent;
    let studio: string;
    /** The victim's invitation to this studio. */
    let invitation: string;
    beforeAll(async () => {
      owner = await w.newcomer('inviter');
      studio = (await owner.send('POST', '/api/organizations', { body: { name: 'Invite Studio' } }))
        .body.id;
      owner.organization = studio;
    });

    it('answers the same for a registered and an unregistered email', async () => {
      const before = new Set(await invitationIds(w.victim.agent));
      const registered = await owner.send('PUT', '/api/organization/members', {
        body: { email: w.victim.fx.email, role: 'member' },
      });
      const unknown = await owner.send('PUT', '/api/organization/members', {
        body: { email: uniqueEmail('nobody'), role: 'member' },
      });
      expect(registered.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(registered.body).toEqual({ invited: true });
      expect(unknown.body).toEqual({ invited: true });
      noBodyLeak(registered, [w.victim.fx.userId, 'VICTIM']);
      invitation = (await invitationIds(w.victim.agent)).find((id) => !before.has(id))!;
      expect(invitation).toBeDefined();
    });

    it("does not list the studio among the invitee's organizations before they accept", async () => {
      const orgs = await w.victim.agent.send('GET', '/api/organizations');
      expect(orgs.body.items.map((o: { id: string }) => o.id)).not.toContain(studio);
      const scoped = w.victim.agent.clone();
      scoped.organization = studio;
      expectError(await scoped.send('GET', '/api/tracks'), 404, 'not_found');
    });

    it('emails the invitation to the invitee', async () => {
      const mail = w.outbox.all(w.victim.fx.email).map((m) => m.text);
      expect(mail.some((text) => /Invite Studio/.test(text))).toBe(true);
    });

    it("refuses another user's invitation id (404)", async () => {
      for (const action of ['accept', 'decline']) {
        const answer = await w.attacker.agent.send(
          'POST',
          `/api/invitations/${invitation}/${action}`,
        );
        expectError(answer, 404, 'not_found');
      }
      const attackerOrgs = await w.attacker.agent.send('GET', '/api/organizations');
      expect(attackerOrgs.body.items.map((o: { id: string }) => o.id)).not.toContain(studio);
    });

    it('lets the invitee accept, and only then join', async () => {
      const accepted = await w.victim.agent.send('POST', `/api/invitations/${invitation}/accept`);
      expect(accepted.status).toBeLessThan(300);
      const orgs = await w.victim.agent.send('GET', '/api/organizations');
      expect(orgs.body.items.map((o: { id: string }) => o.id)).toContain(studio);
      // A spent invitation cannot be accepted again.
      const again = await w.victim.agent.send('POST', `/api/invitations/${invitation}/accept`);
      expect(again.status).toBeGreaterThanOrEqual(400);
    });

    it("changes an existing member's role with 200 and the member list", async () => {
      const changed = await owner.send('PUT', '/api/organization/members', {
        body: { email: w.victim.fx.email, role: 'admin' },
      });
      expect(changed.status).toBe(200);
      const victim = changed.body.items.find(
        (m: { email: string }) => m.email === w.victim.fx.email,
      );
      expect(victim.role).toBe('admin');
      // Leave again, so the victim's world stays one organization for the other cases.
      const scoped = w.victim.agent.clone();
      scoped.organization = studio;
      expect(
        (await scoped.send('DELETE', `/api/organization/members/${w.victim.fx.userId}`)).status,
      ).toBe(204);
    });

    it('a declined invitation does not join', async () => {
      const invitee = await w.newcomer('decliner');
      expect(
        (
          await owner.send('PUT', '/api/organization/members', {
            body: { email: invitee.email, role: 'member' },
          })
        ).status,
      ).toBe(202);
      const id = (await invitationIds(invitee)).at(-1);
      expect((await invitee.send('POST', `/api/invitations/${id}/decline`)).status).toBeLessThan(
        300,
      );
      const orgs = await invitee.send('GET', '/api/organizations');
      expect(orgs.body.items.map((o: { id: string }) => o.id)).not.toContain(studio);
      expect((await invitee.send('POST', `/api/invitations/${id}/accept`)).status).toBe(404);
    });
  });

  describe('guest tokens', () => {
    it("do not open another track of the same tenant, nor another tenant's track", async () => {
      const granted = await w.attacker.agent.send('POST', '/api/guest-tokens', {
        body: {
          label: 'scoped',
          trackId: w.attacker.fx.trackId,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      const headers = { 'X-Vaultmark-Guest-Token': granted.body.token };
      const own = await fetch(`${w.t.url}/api/guest/tracks/${w.attacker.fx.trackId}/audio`, {
        headers,
      });
      expect(own.status).toBe(200);
      const other = await fetch(`${w.t.url}/api/guest/tracks/${w.victim.fx.trackId}/audio`, {
        headers,
      });
      expect(other.status).toBe(404);
      expect(await other.text()).not.toContain(w.victim.fx.trackTitle);
    });

    it('are not API credentials', async () => {
      const granted = await w.attacker.agent.send('POST', '/api/guest-tokens', {
        body: {
          label: 'not a bearer',
          trackId: w.attacker.fx.trackId,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      const answer = await fetch(`${w.t.url}/api/tracks`, {
        headers: { Authorization: `Bearer ${granted.body.token}` },
      });
      expect(answer.status).toBe(401);
    });

    it.each([
      ['missing', undefined],
      ['too short', 'abc'],
      ['random', 'A'.repeat(43)],
      ['with a NUL', `${'A'.repeat(20)}%00`],
    ])('refuse a %s token with 401', async (_name, token) => {
      const answer = await fetch(`${w.t.url}/api/guest/tracks`, {
        headers: token ? { 'X-Vaultmark-Guest-Token': token } : {},
      });
      expect(answer.status).toBe(401);
    });
  });

  describe('recipient links', () => {
    const linkOf = (fx: World['victim']['fx']) => `${w.t.url}/s/${fx.shareToken}`;

    it("do not serve another share's track through this link", async () => {
      for (const kind of ['stream', 'download', 'peaks']) {
        const answer = await fetch(
          `${linkOf(w.attacker.fx)}/tracks/${w.victim.fx.trackId}/${kind}`,
        );
        expect(answer.status, kind).toBe(404);
        expect(await answer.text()).not.toContain(w.victim.fx.trackTitle);
      }
    });

    it('answer one page for unknown, malformed and revoked links', async () => {
      const unknown = await fetch(`${w.t.url}/s/vml_${'A'.repeat(43)}`);
      const malformed = await fetch(`${w.t.url}/s/not-a-token`);
      const revokeMe = await w.attacker.agent.send('POST', '/api/shares', {
        body: {
          trackIds: [w.attacker.fx.trackId],
          recipients: [{ name: 'Gone', email: 'gone@example.com' }],
        },
      });
      await w.attacker.agent.send('POST', `/api/shares/${revokeMe.body.id}/revoke`, { body: {} });
      const revoked = await fetch(revokeMe.body.links[0].url);
      const bodies = await Promise.all([unknown, malformed, revoked].map((r) => r.text()));
      expect([unknown.status, malformed.status, revoked.status]).toEqual([404, 404, 404]);
      expect(new Set(bodies).size).toBe(1);
    });

    it('keep a password-protected share shut without the grant, and the grant to its own link', async () => {
      const created = await w.attacker.agent.send('POST', '/api/shares', {
        body: {
          trackIds: [w.attacker.fx.trackId],
          recipients: [
            { name: 'One', email: 'one@example.com' },
            { name: 'Two', email: 'two@example.com' },
          ],
          password: 'share password 1',
        },
      });
      const [one, two] = created.body.links as { url: string }[];
      expect((await fetch(one!.url)).status).toBe(401);
      const stream = await fetch(`${one!.url}/tracks/${w.attacker.fx.trackId}/stream`);
      expect(stream.status).toBeGreaterThanOrEqual(400);
      expect(stream.status).toBeLessThan(500);
      const wrong = await fetch(`${one!.url}/unlock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'password=guess',
        redirect: 'manual',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.getSetCookie()).toEqual([]);
      const right = await fetch(`${one!.url}/unlock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'password=share+password+1',
        redirect: 'manual',
      });
      expect(right.status).toBe(303);
      const [grant] = right.headers.getSetCookie();
      expect(grant).toMatch(/HttpOnly/i);
      expect(grant).toContain(`path=${new URL(one!.url).pathname}`);
      const cookie = grant!.split(';')[0]!;
      expect((await fetch(one!.url, { headers: { Cookie: cookie } })).status).toBe(200);
      // The same grant on the other recipient's link opens nothing.
      expect((await fetch(two!.url, { headers: { Cookie: cookie } })).status).toBe(401);
    });

    it('throttle share password guessing', async () => {
      const created = await w.attacker.agent.send('POST', '/api/shares', {
        body: {
          trackIds: [w.attacker.fx.trackId],
          recipients: [{ name: 'Guess', email: 'guess@example.com' }],
          password: 'share password 2',
        },
      });
      const url = created.body.links[0].url as string;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const answer = await fetch(`${url}/unlock`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `password=guess${i}`,
          redirect: 'manual',
        });
        statuses.push(answer.status);
      }
      expect(statuses).toContain(429);
      const right = await fetch(`${url}/unlock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'password=share+password+2',
        redirect: 'manual',
      });
      expect(right.status).toBe(429);
    });
  });

  it('gives an API token no more than its user', async () => {
    const agent = await signUp(new Agent(w.t.url), w.outbox, uniqueEmail('scripted'));
    const issued = await agent.send('POST', '/api/auth/tokens', {
      body: { password: agent.password },
    });
    expect(issued.status).toBe(201);
    const script = new Agent(w.t.url);
    script.bearer = issued.body.token;
    expectError(await script.send('GET', `/api/tracks/${w.victim.fx.trackId}`), 404, 'not_found');
    script.organization = w.victim.fx.organizationId;
    expectError(await script.send('GET', '/api/tracks'), 404, 'not_found');
  });
});
