import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../../test/openapi-validator.js';
import { tone } from '../../test/tone.js';
import {
  Browserless,
  engines,
  mailedCode,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

type Json = Record<string, unknown> & { id: string };

describe.each(engines)('review routes on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let other: Browserless;
  let trackId: string;
  let otherTrackId: string;
  let validate: ReturnType<typeof createResponseValidator>;

  async function upload(who: Browserless, name: string): Promise<string> {
    const form = new FormData();
    form.set('file', new Blob([readFileSync(tone(t.dataDir, name, { seconds: 3 }))]), name);
    return (await who.json<{ id: string }>('POST', '/api/tracks', form)).body.id;
  }
  /** Calls and checks the answer against the OpenAPI document (`route` is its path template). */
  async function call(
    who: Browserless,
    method: string,
    path: string,
    route: string,
    body?: unknown,
  ) {
    const answer = await who.json<Json>(method, path, body);
    expect(validate(method, route, answer.status, answer.body)).toEqual([]);
    return answer;
  }

  beforeAll(async () => {
    t = await startTestServer(engine, { worker: false });
    validate = createResponseValidator(t.server.openapi);
    owner = new Browserless(t.url);
    await owner.register('owner@example.com', 'Olive Owner');
    other = new Browserless(t.url);
    await other.register('other@example.com', 'Eve Other');
    trackId = await upload(owner, 'Mix.wav');
    otherTrackId = await upload(other, 'Theirs.wav');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('comments, replies, edits, resolves, deletes and approves by the published contract', async () => {
    const C = '/api/tracks/{id}/comments';
    const point = await call(owner, 'POST', `/api/tracks/${trackId}/comments`, C, {
      body: 'Kick too loud',
      atSeconds: 1.25,
    });
    expect(point.status).toBe(201);
    expect(point.body).toMatchObject({
      body: 'Kick too loud',
      atSeconds: 1.25,
      endSeconds: null,
      author: { name: 'Olive Owner' },
    });
    expect(typeof point.body.createdAt).toBe('string');
    const range = await call(owner, 'POST', `/api/tracks/${trackId}/comments`, C, {
      body: 'Great fade',
      atSeconds: 2,
      endSeconds: 2.8,
    });
    expect(range.body.endSeconds).toBe(2.8);
    const reply = await call(owner, 'POST', `/api/tracks/${trackId}/comments`, C, {
      body: 'Fixed in the next mix',
      parentId: point.body.id,
    });
    expect(reply.body.parentId).toBe(point.body.id);
    const bad = await call(owner, 'POST', `/api/tracks/${trackId}/comments`, C, {
      body: 'x',
      atSeconds: 2,
      endSeconds: 1,
    });
    expect(bad.status).toBe(400);

    const listed = await call(owner, 'GET', `/api/tracks/${trackId}/comments`, C);
    const items = listed.body.items as Array<{ body: string; replies: { body: string }[] }>;
    expect(items.map((c) => [c.body, c.replies.map((r) => r.body)])).toEqual([
      ['Kick too loud', ['Fixed in the next mix']],
      ['Great fade', []],
    ]);

    const edited = await call(
      owner,
      'PATCH',
      `/api/comments/${point.body.id}`,
      '/api/comments/{id}',
      {
        body: 'Kick much too loud',
      },
    );
    expect(edited.body).toMatchObject({ body: 'Kick much too loud' });
    const R = '/api/comments/{id}/resolve';
    const resolved = await call(owner, 'POST', `/api/comments/${reply.body.id}/resolve`, R, {});
    expect(resolved.body.resolvedAt).not.toBeNull();
    const reopened = await call(owner, 'POST', `/api/comments/${point.body.id}/resolve`, R, {
      resolved: false,
    });
    expect(reopened.body.resolvedAt).toBeNull();

    const A = '/api/tracks/{id}/approvals';
    const approved = await call(owner, 'POST', `/api/tracks/${trackId}/approvals`, A, {
      decision: 'approved',
      note: 'Ship it',
    });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({ decision: 'approved', note: 'Ship it' });
    const decisions = await call(owner, 'GET', `/api/tracks/${trackId}/approvals`, A);
    expect(decisions.body).toMatchObject({ version: { number: 1, current: true } });
    expect((decisions.body.items as unknown[]).length).toBe(1);

    const deleted = await owner.request('DELETE', `/api/comments/${range.body.id}`);
    expect(deleted.status).toBe(204);
  });

  it("answers 404 for another tenant's track, comment and invitation ids on every review route", async () => {
    const mine = await owner.json<Json>('POST', `/api/tracks/${trackId}/comments`, {
      body: 'Private note',
      atSeconds: 1,
    });
    const invitation = await owner.json<Json>('POST', '/api/guest-invitations', {
      name: 'Gus',
      email: 'gus@example.com',
      trackId,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(invitation.status).toBe(201);
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/tracks/${trackId}/comments`],
      ['POST', `/api/tracks/${trackId}/comments`, { body: 'hi', atSeconds: 1 }],
      ['PATCH', `/api/comments/${mine.body.id}`, { body: 'mine now' }],
      ['DELETE', `/api/comments/${mine.body.id}`],
      ['POST', `/api/comments/${mine.body.id}/resolve`, {}],
      ['POST', `/api/tracks/${trackId}/approvals`, { decision: 'approved' }],
      ['GET', `/api/tracks/${trackId}/approvals`],
      ['GET', `/api/guest-invitations/${invitation.body.id}/uses`],
      ['DELETE', `/api/guest-invitations/${invitation.body.id}`],
      [
        'POST',
        '/api/guest-invitations',
        {
          name: 'x',
          email: 'x@example.com',
          trackId,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await other.json<{ error: { code: string } }>(method, path, body);
      expect([path, answer.status, answer.body?.error?.code]).toEqual([path, 404, 'not_found']);
    }
    const still = await owner.json<{ items: { body: string }[] }>(
      'GET',
      `/api/tracks/${trackId}/comments`,
    );
    expect(still.body.items.map((c) => c.body)).toContain('Private note');
    expect(
      (await other.json<{ items: unknown[] }>('GET', '/api/guest-invitations')).body.items,
    ).toEqual([]);
  });

  it('takes recipient feedback only when the share allows it, under the recipient’s name', async () => {
    const created = await owner.json<{
      id: string;
      allowFeedback: boolean;
      links: { url: string }[];
    }>('POST', '/api/shares', {
      trackIds: [trackId],
      recipients: [{ name: 'Rita Recipient', email: 'rita@example.com' }],
    });
    expect(created.body.allowFeedback).toBe(false);
    const at = new URL(created.body.links[0]!.url).pathname;
    const P = '/s/{token}/tracks/{trackId}/comments';
    const refused = await call(owner, 'POST', `${at}/tracks/${trackId}/comments`, P, {
      body: 'Hi',
      atSeconds: 1,
    });
    expect(refused.status).toBe(403);
    const changed = await owner.json<{ allowFeedback: boolean }>(
      'PATCH',
      `/api/shares/${created.body.id}`,
      {
        allowFeedback: true,
      },
    );
    expect(changed.body.allowFeedback).toBe(true);
    const rita = new Browserless(t.url);
    const c = await call(rita, 'POST', `${at}/tracks/${trackId}/comments`, P, {
      body: 'Chorus drags',
      atSeconds: 1,
      endSeconds: 2.5,
    });
    expect(c.status).toBe(201);
    expect(c.body.author).toEqual({ name: 'Rita Recipient', kind: 'recipient' });
    const a = await call(
      rita,
      'POST',
      `${at}/tracks/${trackId}/approvals`,
      '/s/{token}/tracks/{trackId}/approvals',
      {
        decision: 'changes_requested',
        note: 'Vocals',
      },
    );
    expect(a.status).toBe(201);
    const own = await call(
      rita,
      'GET',
      `${at}/tracks/${trackId}/review`,
      '/s/{token}/tracks/{trackId}/review',
    );
    expect((own.body.comments as { body: string }[]).map((x) => x.body)).toEqual(['Chorus drags']);
    const typo = await rita.json<Json>('POST', `${at}/tracks/${trackId}/comments`, {
      body: 'tpyo',
      atSeconds: 2,
    });
    const fixed = await call(
      rita,
      'PATCH',
      `${at}/comments/${typo.body.id}`,
      '/s/{token}/comments/{commentId}',
      {
        body: 'typo',
      },
    );
    expect(fixed.body.body).toBe('typo');
    expect((await rita.request('DELETE', `${at}/comments/${typo.body.id}`)).status).toBe(204);
    const page = await call(rita, 'GET', `${at}/review`, '/s/{token}/review');
    expect(page.body.allowFeedback).toBe(true);
    expect(Object.keys(page.body.tracks as object)).toEqual([trackId]);
    // Another tenant's track through this link is not found.
    const elsewhere = await rita.json<{ error: { code: string } }>(
      'POST',
      `${at}/tracks/${otherTrackId}/comments`,
      { body: 'x', atSeconds: 1 },
    );
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, 'not_found']);
    const seen = await owner.json<{ items: { author: { name: string } }[] }>(
      'GET',
      `/api/tracks/${trackId}/comments`,
    );
    expect(seen.body.items.map((x) => x.author.name)).toContain('Rita Recipient');
  });

  it('lets an invited guest sign in by link and emailed code, review their scope, and be revoked', async () => {
    const invited = await call(owner, 'POST', '/api/guest-invitations', '/api/guest-invitations', {
      name: 'Mo Mixer',
      email: 'mo@example.com',
      trackId,
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ name: 'Mo Mixer', mailed: true, trackId });
    const url = invited.body.url as string;
    expect(url.startsWith(`${t.url}/guest#`)).toBe(true);
    const link = url.slice(url.indexOf('#') + 1);
    const guest = new Browserless(t.url);
    const asked = await call(guest, 'POST', '/api/guest/code', '/api/guest/code', { link });
    expect(asked.status).toBe(202);
    const code = await mailedCode(join(t.dataDir, 'outbox'), 'mo@example.com');
    const signed = await call(guest, 'POST', '/api/guest/session', '/api/guest/session', {
      link,
      code,
    });
    expect(signed.status).toBe(201);
    const headers = { 'X-Vaultmark-Guest-Session': signed.body.session as string };
    const get = (path: string, init: RequestInit = {}) =>
      fetch(new URL(path, t.url), { ...init, headers: { ...headers, ...(init.headers ?? {}) } });
    const view = await get('/api/guest/review');
    const viewBody = (await view.json()) as { name: string; tracks: { id: string }[] };
    expect(validate('GET', '/api/guest/review', view.status, viewBody)).toEqual([]);
    expect(viewBody.tracks.map((x) => x.id)).toEqual([trackId]);
    const posted = await get(`/api/guest/review/tracks/${trackId}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ body: 'Snare is dull', atSeconds: 0.5 }),
    });
    expect(posted.status).toBe(201);
    expect(((await posted.json()) as { author: unknown }).author).toEqual({
      name: 'Mo Mixer',
      kind: 'guest',
    });
    const approved = await get(`/api/guest/review/tracks/${trackId}/approvals`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision: 'approved' }),
    });
    expect(approved.status).toBe(201);
    const peaks = await get(`/api/guest/review/tracks/${trackId}/peaks`);
    expect([200, 204]).toContain(peaks.status);
    const audio = await get(`/api/guest/review/tracks/${trackId}/audio`);
    expect([audio.status, audio.headers.get('content-type')]).toEqual([200, 'audio/wav']);
    await audio.arrayBuffer();
    expect((await get(`/api/guest/review/tracks/${otherTrackId}/audio`)).status).toBe(404);

    const uses = await call(
      owner,
      'GET',
      `/api/guest-invitations/${invited.body.id}/uses`,
      '/api/guest-invitations/{id}/uses',
    );
    const actions = (uses.body.items as { action: string; ipHash: string | null }[]).map(
      (u) => u.action,
    );
    expect(actions).toContain('guest.sign_in');
    expect(actions).toContain('guest_token.use');
    const revoked = await owner.request('DELETE', `/api/guest-invitations/${invited.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await get('/api/guest/review')).status).toBe(401);
  });
});
