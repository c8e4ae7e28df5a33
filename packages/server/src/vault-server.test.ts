import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vaultDeps, withTenant } from '@vaultmark/vault-core/testing';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../test/openapi-validator.js';
import { tone } from '../test/tone.js';
import {
  Browserless,
  engines,
  eventually,
  mailedCode,
  startTestServer,
  type TestServer,
} from '../test/vault-server.js';

interface TrackBody {
  id: string;
  title: string;
  status: string;
  analysisStatus: string;
  durationSeconds: number | null;
  bpm: number | null;
  key: string | null;
  loudnessLufs: number | null;
}

describe.each(engines)('the composed server on %s', (engine) => {
  let t: TestServer;
  let validate: ReturnType<typeof createResponseValidator>;
  /** Calls the API and checks the answer against the published OpenAPI document. */
  async function call<T = Record<string, unknown>>(
    client: Browserless,
    method: string,
    path: string,
    template: string,
    body?: unknown,
  ) {
    const answer = await client.json<T>(method, path, body);
    expect(validate(method, template, answer.status, answer.body)).toEqual([]);
    return answer;
  }

  beforeAll(async () => {
    t = await startTestServer(engine);
    validate = createResponseValidator(t.server.openapi);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('registers, signs in and out, issues bearer tokens, lists and revokes sessions', async () => {
    const alice = new Browserless(t.url);
    const registered = await alice.register('alice@example.com', 'Alice');
    expect(validate('post', '/api/auth/register/verify', 201, registered.body)).toEqual([]);
    const me = await call(alice, 'GET', '/api/auth/me', '/api/auth/me');
    expect(me.body).toMatchObject({ organizationName: 'Alice', role: 'owner' });

    // Cookie writes need the CSRF token.
    const csrf = alice.csrf;
    alice.csrf = undefined;
    const refused = await call(alice, 'POST', '/api/auth/tokens', '/api/auth/tokens', {
      password: 'correct horse battery',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'csrf_failed', message: expect.any(String) } });
    alice.csrf = csrf;

    // A token is a new credential: the session alone is not enough, the password is asked again.
    const unproven = await call(alice, 'POST', '/api/auth/tokens', '/api/auth/tokens', {
      password: 'not the password',
    });
    expect(unproven.status).toBe(401);
    const token = await call<{ token: string }>(
      alice,
      'POST',
      '/api/auth/tokens',
      '/api/auth/tokens',
      { password: 'correct horse battery' },
    );
    expect(token.status).toBe(201);
    const script = new Browserless(t.url);
    script.bearer = token.body.token;
    expect((await call(script, 'GET', '/api/auth/me', '/api/auth/me')).status).toBe(200);

    const sessions = await call<{ items: { id: string; kind: string; current: boolean }[] }>(
      alice,
      'GET',
      '/api/account/sessions',
      '/api/account/sessions',
    );
    expect(sessions.body.items.map((s) => s.kind).sort()).toEqual(['api', 'browser']);
    const api = sessions.body.items.find((s) => s.kind === 'api')!;
    const revoked = await alice.request('DELETE', `/api/account/sessions/${api.id}`);
    expect(revoked.status).toBe(204);
    const after = await call(script, 'GET', '/api/auth/me', '/api/auth/me');
    expect(after.status).toBe(401);

    expect((await alice.request('POST', '/api/auth/logout')).status).toBe(204);
    expect((await call(alice, 'GET', '/api/auth/me', '/api/auth/me')).status).toBe(401);

    const wrong = await call(alice, 'POST', '/api/auth/login', '/api/auth/login', {
      email: 'alice@example.com',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect((wrong.body as { error: { code: string } }).error.code).toBe('invalid_credentials');
    const login = await call<{ csrfToken: string }>(
      alice,
      'POST',
      '/api/auth/login',
      '/api/auth/login',
      {
        email: 'alice@example.com',
        password: 'correct horse battery',
      },
    );
    expect(login.status).toBe(200);
    alice.csrf = login.body.csrfToken;
    expect((await call(alice, 'GET', '/api/auth/me', '/api/auth/me')).status).toBe(200);

    // A taken address gets the same answer as a new one: registration reveals no account.
    const attempt = (email: string) =>
      call(new Browserless(t.url), 'POST', '/api/auth/register', '/api/auth/register', {
        email,
        password: 'another long password',
        displayName: 'Mallory',
      });
    const taken = await attempt('ALICE@example.com');
    const fresh = await attempt('nobody-yet@example.com');
    expect([taken.status, taken.body]).toEqual([fresh.status, fresh.body]);
    expect(taken.status).toBe(202);
  });

  it('signs in with an emailed code only in the browser that asked for it', async () => {
    const carol = new Browserless(t.url);
    await carol.register('carol@example.com', 'Carol');
    await carol.request('POST', '/api/auth/logout');
    const asked = await call(carol, 'POST', '/api/auth/email-code', '/api/auth/email-code', {
      email: 'carol@example.com',
    });
    expect(asked.status).toBe(202);
    const code = await mailedCode(join(t.dataDir, 'outbox'), 'carol@example.com');
    const elsewhere = new Browserless(t.url);
    const stolen = await call(
      elsewhere,
      'POST',
      '/api/auth/email-code/verify',
      '/api/auth/email-code/verify',
      {
        email: 'carol@example.com',
        code,
      },
    );
    expect(stolen.status).toBe(401);
    const verified = await call(
      carol,
      'POST',
      '/api/auth/email-code/verify',
      '/api/auth/email-code/verify',
      {
        email: 'carol@example.com',
        code,
      },
    );
    expect(verified.status).toBe(200);
  });

  it('uploads a track, analyses it in a job, searches, edits, and isolates tenants', async () => {
    const owner = new Browserless(t.url);
    await owner.register('owner@example.com', 'Owner');
    const form = new FormData();
    const wav = readFileSync(tone(t.dataDir, 'a440.wav', { seconds: 6, args: ['-ac', '2'] }));
    form.set('file', new Blob([wav]), 'A 440 demo.wav');
    const created = await call<TrackBody>(owner, 'POST', '/api/tracks', '/api/tracks', form);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'A 440 demo', status: 'pending' });
    const id = created.body.id;

    const done = await eventually(async () => {
      const got = await call<TrackBody>(owner, 'GET', `/api/tracks/${id}`, '/api/tracks/{id}');
      return got.body.analysisStatus === 'done' ? got.body : undefined;
    });
    expect(done.durationSeconds).toBeCloseTo(6, 1);
    expect(done.loudnessLufs).toEqual(expect.any(Number));
    const peaks = await call<{ length: number; data: number[]; bits: number }>(
      owner,
      'GET',
      `/api/tracks/${id}/peaks`,
      '/api/tracks/{id}/peaks',
    );
    expect(peaks.status).toBe(200);
    expect(peaks.body.bits).toBe(8);
    expect(peaks.body.length).toBeGreaterThanOrEqual(119);
    expect(peaks.body.data.length).toBe(peaks.body.length * 2);
    // ffmpeg's sine has amplitude 1/8: about 16 on the 8-bit scale.
    expect(Math.max(...peaks.body.data)).toBeGreaterThan(8);

    const patched = await call<TrackBody>(owner, 'PATCH', `/api/tracks/${id}`, '/api/tracks/{id}', {
      artist: 'The Tuning Forks',
      tags: ['Demo'],
    });
    expect(patched.status).toBe(200);
    const found = await call<{ items: TrackBody[]; total: number }>(
      owner,
      'GET',
      '/api/tracks?q=tuning',
      '/api/tracks',
    );
    expect(found.body.total).toBe(1);
    expect((await owner.json('GET', '/api/tracks?q=%25')).body).toMatchObject({ total: 0 });

    // Another tenant: the same id is simply not there.
    const other = new Browserless(t.url);
    await other.register('other@example.com', 'Other');
    for (const [method, path] of [
      ['GET', `/api/tracks/${id}`],
      ['GET', `/api/tracks/${id}/peaks`],
      ['PATCH', `/api/tracks/${id}`],
      ['DELETE', `/api/tracks/${id}`],
    ] as const) {
      const answer = await other.json<{ error: { code: string } }>(
        method,
        path,
        method === 'PATCH' ? { title: 'mine now' } : undefined,
      );
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
    expect((await other.json('GET', '/api/tracks')).body).toMatchObject({ total: 0 });

    // Not audio: refused by its bytes, whatever its name says.
    const fake = new FormData();
    fake.set('file', new Blob([Buffer.from('<html>not audio</html>')]), 'song.wav');
    const refused = await call(owner, 'POST', '/api/tracks', '/api/tracks', fake);
    expect(refused.status).toBe(415);

    const audit = await call<{ items: { action: string }[] }>(
      owner,
      'GET',
      '/api/audit',
      '/api/audit',
    );
    expect(audit.body.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['track.create', 'track.analysis', 'track.update']),
    );
    const verified = await call(owner, 'GET', '/api/audit/verify', '/api/audit/verify');
    expect(verified.body).toMatchObject({ ok: true, problems: [] });

    expect((await owner.request('DELETE', `/api/tracks/${id}`)).status).toBe(204);
    expect((await owner.json('GET', `/api/tracks/${id}`)).status).toBe(404);
  });

  it('exports the account and deletes it after a grace period that can be cancelled', async () => {
    const dana = new Browserless(t.url);
    await dana.register('dana@example.com', 'Dana');
    const exported = await call<{ format: string }>(
      dana,
      'GET',
      '/api/account/export',
      '/api/account/export',
    );
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain('dana@example.com');
    const wrong = await call(dana, 'POST', '/api/account/delete', '/api/account/delete', {
      password: 'wrong',
    });
    expect(wrong.status).toBe(401);
    const scheduled = await call<{ deleteAfter: string }>(
      dana,
      'POST',
      '/api/account/delete',
      '/api/account/delete',
      {
        password: 'correct horse battery',
      },
    );
    expect(scheduled.status).toBe(202);
    expect(Date.parse(scheduled.body.deleteAfter) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const login = await dana.json<{ csrfToken: string }>('POST', '/api/auth/login', {
      email: 'dana@example.com',
      password: 'correct horse battery',
    });
    expect(login.status).toBe(200);
    dana.csrf = login.body.csrfToken;
    const cancelled = await call(
      dana,
      'POST',
      '/api/account/delete/cancel',
      '/api/account/delete/cancel',
    );
    expect(cancelled.status).toBe(200);
  });

  it('serves the owner pages to signed-in users and sends others to sign in', async () => {
    const anonymous = await fetch(`${t.url}/library`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/signin?next=%2Flibrary');
    const erin = new Browserless(t.url);
    await erin.register('erin@example.com', 'Erin <script>');
    const page = await erin.request('GET', '/library');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Erin &lt;script&gt;');
    expect(text).toContain(`content="${erin.csrf}"`);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
  });

  it('separates stems only when asked, stores them encrypted, and serves them to the owner', async () => {
    const owner = new Browserless(t.url);
    await owner.register('stems@example.com', 'Stems');
    const form = new FormData();
    const wav = readFileSync(tone(t.dataDir, 'mix.wav', { seconds: 3, args: ['-ac', '2'] }));
    form.set('file', new Blob([wav]), 'Mix.wav');
    const { id } = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body;
    const before = await call<{ status: string }>(
      owner,
      'GET',
      `/api/tracks/${id}/stems`,
      '/api/tracks/{id}/stems',
    );
    expect(before.body.status).toBe('none');
    const asked = await call(owner, 'POST', `/api/tracks/${id}/stems`, '/api/tracks/{id}/stems');
    expect(asked.status).toBe(202);
    const done = await eventually(async () => {
      const state = await call<{ status: string; stems: { name: string; url: string }[] }>(
        owner,
        'GET',
        `/api/tracks/${id}/stems`,
        '/api/tracks/{id}/stems',
      );
      return state.body.status === 'done' ? state.body : undefined;
    });
    expect(done.stems.map((s) => s.name).sort()).toEqual(['drums', 'other', 'vocals']);
    const drums = await owner.request('GET', done.stems.find((s) => s.name === 'drums')!.url);
    expect(drums.status).toBe(200);
    expect(drums.headers.get('content-disposition')).toContain('Mix (drums).wav');
    const bytes = Buffer.from(await drums.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.length).toBeGreaterThan(3 * 44_100 * 4);

    const other = new Browserless(t.url);
    await other.register('not-stems@example.com', 'Other');
    expect((await other.json('POST', `/api/tracks/${id}/stems`)).status).toBe(404);
    expect((await other.request('GET', `/api/tracks/${id}/stems/drums`)).status).toBe(404);

    // Deleting the track erases its stems too: their keys are gone, the link is dead.
    expect((await owner.request('DELETE', `/api/tracks/${id}`)).status).toBe(204);
    const erased = await withTenant(vaultDeps(t.server.vault).db, owner.organizationId!, (tx) =>
      tx('objects').where({ kind: 'derived' }).select('wrapped_key', 'erased_at'),
    );
    expect(erased).toHaveLength(3);
    for (const row of erased) {
      expect(row.wrapped_key).toBeNull();
      expect(row.erased_at).not.toBeNull();
    }
  });

  it('takes resumable (tus) uploads into the library', async () => {
    const owner = new Browserless(t.url);
    await owner.register('tus@example.com', 'Tus');
    const token = (
      await owner.json<{ token: string }>('POST', '/api/auth/tokens', {
        password: 'correct horse battery',
      })
    ).body.token;
    const bytes = readFileSync(tone(t.dataDir, 'big.wav', { seconds: 4 }));
    const body = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        endpoint: `${t.url}/api/uploads`,
        chunkSize: 128 * 1024,
        retryDelays: [],
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: 'Resumed Take.wav' },
        uploadSize: bytes.length,
        onError: reject,
        onSuccess: (payload) => resolve(payload.lastResponse.getBody() ?? ''),
      });
      upload.start();
    });
    const track = JSON.parse(body) as TrackBody;
    expect(track).toMatchObject({ title: 'Resumed Take', status: 'pending' });
    const listed = await owner.json<{ items: TrackBody[] }>('GET', '/api/tracks');
    expect(listed.body.items.map((i) => i.id)).toEqual([track.id]);
  });

  it('publishes every route of the contract in its OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/auth/register',
        'POST /api/auth/register/verify',
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'POST /api/auth/tokens',
        'POST /api/auth/totp/enroll',
        'POST /api/auth/email-code',
        'POST /api/account/password',
        'GET /api/invitations',
        'POST /api/invitations/{id}/accept',
        'POST /api/tracks',
        'GET /api/tracks',
        'GET /api/tracks/{id}',
        'PATCH /api/tracks/{id}',
        'DELETE /api/tracks/{id}',
        'GET /api/tracks/{id}/peaks',
        'POST /api/tracks/{id}/stems',
        'POST /api/shares',
        'GET /api/shares',
        'GET /api/shares/{id}',
        'POST /api/shares/{id}/revoke',
        'GET /s/{token}',
        'GET /s/{token}/tracks/{trackId}/stream',
        'GET /s/{token}/tracks/{trackId}/download',
        'POST /api/investigations',
        'GET /api/investigations/{id}',
        'GET /api/investigations/{id}/report',
        'GET /api/account/export',
        'POST /api/account/delete',
        'POST /api/account/delete/cancel',
        'GET /api/audit',
        'GET /api/audit/verify',
        'GET /api/account/sessions',
        'DELETE /api/account/sessions/{id}',
      ]),
    );
  });

  it('scopes requests to a studio the caller belongs to, with roles from the database', async () => {
    const alice = new Browserless(t.url);
    await alice.register('alice@studio.example', 'Alice');
    const bob = new Browserless(t.url);
    await bob.register('bob@studio.example', 'Bob');
    const carol = new Browserless(t.url);
    await carol.register('carol@studio.example', 'Carol');
    const created = await call<{ id: string }>(
      alice,
      'POST',
      '/api/organizations',
      '/api/organizations',
      {
        name: 'Night Studio',
      },
    );
    expect(created.status).toBe(201);
    const studio = created.body.id;
    alice.organization = studio;
    // Adding someone invites them, with the same answer for an address nobody registered.
    const invite = (email: string) =>
      call(alice, 'PUT', '/api/organization/members', '/api/organization/members', {
        email,
        role: 'member',
      });
    const invited = await invite('bob@studio.example');
    expect([invited.status, invited.body]).toEqual([202, { invited: true }]);
    const unknown = await invite('ghost@studio.example');
    expect([unknown.status, unknown.body]).toEqual([invited.status, invited.body]);
    const pending = await bob.json<{ items: { id: string; organizationName: string }[] }>(
      'GET',
      '/api/invitations',
    );
    expect(pending.body.items.map((i) => i.organizationName)).toEqual(['Night Studio']);
    // Nobody else can answer Bob's invitation.
    const hijack = await carol.request(
      'POST',
      `/api/invitations/${pending.body.items[0]!.id}/accept`,
    );
    expect(hijack.status).toBe(404);
    const accepted = await call(
      bob,
      'POST',
      `/api/invitations/${pending.body.items[0]!.id}/accept`,
      '/api/invitations/{id}/accept',
    );
    expect(accepted.status).toBe(200);
    const added = await call<{ items: { email: string; role: string }[] }>(
      alice,
      'GET',
      '/api/organization/members',
      '/api/organization/members',
    );
    expect(added.body.items.map((m) => `${m.email}:${m.role}`).sort()).toEqual([
      'alice@studio.example:owner',
      'bob@studio.example:member',
    ]);

    bob.organization = studio;
    const form = new FormData();
    form.set(
      'file',
      new Blob([readFileSync(tone(t.dataDir, 'studio.wav', { seconds: 2 }))]),
      'Studio Take.wav',
    );
    const track = await bob.json<TrackBody>('POST', '/api/tracks', form);
    expect(track.status).toBe(201);
    expect((await alice.json<{ total: number }>('GET', '/api/tracks')).body.total).toBe(1);
    alice.organization = undefined;
    expect((await alice.json<{ total: number }>('GET', '/api/tracks')).body.total).toBe(0);

    // A member cannot manage members; a stranger's header names nothing.
    const refused = await bob.json('PUT', '/api/organization/members', {
      email: 'carol@studio.example',
      role: 'member',
    });
    expect(refused.status).toBe(403);
    carol.organization = studio;
    const stranger = await carol.json<{ error: { code: string } }>('GET', '/api/tracks');
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('not_found');

    // Removal applies to the very next request.
    alice.organization = studio;
    const bobId = (await bob.json<{ userId: string }>('GET', '/api/auth/me')).body.userId;
    expect((await alice.request('DELETE', `/api/organization/members/${bobId}`)).status).toBe(204);
    expect((await bob.json('GET', '/api/tracks')).status).toBe(404);

    // Owners export the studio encrypted, set retention, and schedule its deletion.
    const exported = await alice.request('POST', '/api/organization/export', {
      passphrase: 'a long export passphrase',
    });
    expect(exported.status).toBe(200);
    expect(
      Buffer.from(await exported.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('VMX1');
    const retention = await call(
      alice,
      'PUT',
      '/api/organization/retention',
      '/api/organization/retention',
      {
        accessLogDays: 365,
        trackDays: null,
      },
    );
    expect(retention.body).toEqual({ accessLogDays: 365, trackDays: null, loginLogDays: 365 });
    const scheduled = await call<{ deleteAfter: string }>(
      alice,
      'POST',
      '/api/organization/delete',
      '/api/organization/delete',
    );
    expect(scheduled.status).toBe(202);
    expect((await alice.json('POST', '/api/organization/delete/cancel')).status).toBe(200);
  });

  it('lets a guest token read one track, counted, until it is revoked', async () => {
    const owner = new Browserless(t.url);
    await owner.register('guests@example.com', 'Guests');
    const form = new FormData();
    const wav = readFileSync(tone(t.dataDir, 'review.wav', { seconds: 1 }));
    form.set('file', new Blob([wav]), 'Review.wav');
    const track = (await owner.json<TrackBody>('POST', '/api/tracks', form)).body;
    const granted = await call<{ token: string; guestToken: { id: string } }>(
      owner,
      'POST',
      '/api/guest-tokens',
      '/api/guest-tokens',
      {
        label: 'Mix engineer',
        trackId: track.id,
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      },
    );
    expect(granted.status).toBe(201);
    const headers = { 'X-Vaultmark-Guest-Token': granted.body.token };
    const list = await fetch(`${t.url}/api/guest/tracks`, { headers });
    expect(((await list.json()) as { tracks: { id: string }[] }).tracks.map((x) => x.id)).toEqual([
      track.id,
    ]);
    const audio = await fetch(`${t.url}/api/guest/tracks/${track.id}/audio`, { headers });
    expect(audio.status).toBe(200);
    // The guest's own marked copy: a WAV of the same length, never the stored bytes.
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    const copy = Buffer.from(await audio.arrayBuffer());
    expect(copy.subarray(0, 4).toString()).toBe('RIFF');
    expect(Math.abs(copy.length - wav.length)).toBeLessThan(200);
    expect(copy.equals(wav)).toBe(false);
    const tokens = await owner.json<{ items: { uses: number }[] }>('GET', '/api/guest-tokens');
    expect(tokens.body.items[0]!.uses).toBe(2);
    expect(
      (await owner.request('DELETE', `/api/guest-tokens/${granted.body.guestToken.id}`)).status,
    ).toBe(204);
    expect((await fetch(`${t.url}/api/guest/tracks`, { headers })).status).toBe(401);
    expect((await fetch(`${t.url}/api/guest/tracks`)).status).toBe(401);
  });

  it('keeps folders and versions, serves the owner the stored file, and manages share settings and keys', async () => {
    const owner = new Browserless(t.url);
    await owner.register('library@example.com', 'Library');
    const folder = await call<{ id: string }>(owner, 'POST', '/api/folders', '/api/folders', {
      name: 'Album',
    });
    expect(folder.status).toBe(201);
    const first = readFileSync(tone(t.dataDir, 'v1.wav', { seconds: 1, hz: 300 }));
    const second = readFileSync(tone(t.dataDir, 'v2.wav', { seconds: 1, hz: 600 }));
    const form = new FormData();
    form.set('file', new Blob([first]), 'Take.wav');
    const track = (await owner.json<TrackBody>('POST', '/api/tracks', form)).body;
    await call(owner, 'PATCH', `/api/tracks/${track.id}`, '/api/tracks/{id}', {
      folderId: folder.body.id,
    });
    const again = new FormData();
    again.set('file', new Blob([second]), 'Take (mix 2).wav');
    const v2 = await call<{ version: number }>(
      owner,
      'POST',
      `/api/tracks/${track.id}/versions`,
      '/api/tracks/{id}/versions',
      again,
    );
    expect(v2.body.version).toBe(2);
    const versions = await call<{ items: { version: number }[] }>(
      owner,
      'GET',
      `/api/tracks/${track.id}/versions`,
      '/api/tracks/{id}/versions',
    );
    expect(versions.body.items.map((v) => v.version)).toEqual([2, 1]);
    const current = await owner.request('GET', `/api/tracks/${track.id}/audio`);
    expect(Buffer.from(await current.arrayBuffer()).equals(second)).toBe(true);
    const old = await owner.request('GET', `/api/tracks/${track.id}/audio?version=1`);
    expect(Buffer.from(await old.arrayBuffer()).equals(first)).toBe(true);
    expect(
      (await call<{ items: unknown[] }>(owner, 'GET', '/api/folders', '/api/folders')).body.items,
    ).toHaveLength(1);

    const settings = await call(owner, 'PUT', '/api/share-settings', '/api/share-settings', {
      defaultExpiryDays: 7,
      maxExpiryDays: 30,
    });
    expect(settings.body).toEqual({ defaultExpiryDays: 7, maxExpiryDays: 30 });
    const rotated = await call<{ id: string; current: boolean }>(
      owner,
      'POST',
      '/api/watermark-keys/rotate',
      '/api/watermark-keys/rotate',
    );
    expect(rotated.body.current).toBe(true);
    const keys = await call<{ items: { id: string; current: boolean }[] }>(
      owner,
      'GET',
      '/api/watermark-keys',
      '/api/watermark-keys',
    );
    expect(keys.body.items.filter((k) => k.current).map((k) => k.id)).toEqual([rotated.body.id]);
  });

  it('limits sign-up and sign-in attempts per address', async () => {
    const limited = await startTestServer(engine, { rateLimits: true, worker: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) {
        const answer = await new Browserless(limited.url).json('POST', '/api/auth/login', {
          email: 'nobody@example.com',
          password: `guess ${i}`,
        });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20)).toEqual([429, 429]);
    } finally {
      await limited.stop();
    }
  });
});
