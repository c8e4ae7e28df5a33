import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../../test/openapi-validator.js';
import { tone } from '../../test/tone.js';
import { tusUpload as tusTo } from '../../test/tus-client.js';
import { Browserless, engines, startTestServer, type TestServer } from '../../test/vault-server.js';
import { loadConfig } from '../config.js';

/** A member's checksummed tus upload to `/api/uploads` with an API token. */
const tusUpload = (
  base: string,
  token: string,
  bytes: Buffer,
  metadata: Record<string, string>,
  options: { chunk?: number; corruptFirstTry?: number } = {},
) => tusTo(`${base}/api/uploads`, { Authorization: `Bearer ${token}` }, bytes, metadata, options);

describe.each(engines)('recording sessions over HTTP on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let other: Browserless;
  let ownerToken: string;
  let otherToken: string;
  let validate: ReturnType<typeof createResponseValidator>;

  beforeAll(async () => {
    t = await startTestServer(engine);
    validate = createResponseValidator(t.server.openapi);
    owner = new Browserless(t.url);
    await owner.register('host@example.com', 'Host');
    other = new Browserless(t.url);
    await other.register('other@example.com', 'Other');
    const token = async (b: Browserless) =>
      (
        await b.json<{ token: string }>('POST', '/api/auth/tokens', {
          password: 'correct horse battery',
        })
      ).body.token;
    ownerToken = await token(owner);
    otherToken = await token(other);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a session, invites two participants, takes their checksummed uploads and erases it', async () => {
    const created = await owner.json<{ id: string; title: string }>(
      'POST',
      '/api/recording-sessions',
      { title: 'Duo session', scheduledAt: '2026-03-02T18:00:00.000Z' },
    );
    expect(created.status).toBe(201);
    expect(validate('post', '/api/recording-sessions', 201, created.body)).toEqual([]);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'title']);
    const id = created.body.id;
    const path = `/api/recording-sessions/${id}`;

    const invite = (name: string, email: string, role: string) =>
      owner.json<{ id: string }>('POST', `${path}/participants`, { name, email, role });
    const host = await invite('Hana', 'hana@example.com', 'host');
    const guest = await invite('Gil', 'gil@example.com', 'guest');
    expect(host.status).toBe(201);
    expect(validate('post', '/api/recording-sessions/{id}/participants', 201, host.body)).toEqual(
      [],
    );
    expect((await invite('X', 'x@example.com', 'drummer')).status).toBe(400);
    const outbox = join(t.dataDir, 'outbox');
    const mail = readdirSync(outbox)
      .map((n) => readFileSync(join(outbox, n), 'utf8'))
      .find((m) => m.includes('To: gil@example.com'));
    expect(mail).toContain('Duo session');
    expect(mail).toContain(`${t.url}/recording-sessions/${id}`);

    const how = await owner.json('GET', `${path}/participants/${guest.body.id}/upload`);
    expect(how.status).toBe(200);
    expect(how.body).toMatchObject({
      endpoint: '/api/uploads',
      checksumAlgorithm: 'sha256',
      metadata: { recordingSession: id, participant: guest.body.id },
    });

    const wavA = readFileSync(tone(t.dataDir, 'hana.wav', { seconds: 3, hz: 330 }));
    const wavB = readFileSync(tone(t.dataDir, 'gil.wav', { seconds: 2, hz: 550 }));
    const meta = (participant: string, startedAt: string, filename: string) => ({
      recordingSession: id,
      participant,
      startedAt,
      filename,
    });
    const a = await tusUpload(
      t.url,
      ownerToken,
      wavA,
      meta(host.body.id, '2026-03-02T18:00:00.000Z', 'hana.wav'),
    );
    expect(a.statuses.at(-1)).toBe(200);
    // Gil's second chunk is corrupted on its first try: refused (460), sent again, accepted.
    const b = await tusUpload(
      t.url,
      ownerToken,
      wavB,
      meta(guest.body.id, '2026-03-02T18:00:00.500Z', 'gil.wav'),
      { corruptFirstTry: 64 * 1024 },
    );
    expect(b.statuses).toContain(460);
    expect(b.statuses.at(-1)).toBe(200);
    expect(JSON.parse(b.body)).toMatchObject({
      sessionId: id,
      participantId: guest.body.id,
      sha256: createHash('sha256').update(wavB).digest('hex'),
    });

    const got = await owner.json<{
      tracks: { participantId: string; offsetMs: number; trackId: string; sizeBytes: number }[];
      events: { kind: string; participantId: string | null }[];
      participants: { role: string }[];
    }>('GET', path);
    expect(got.status).toBe(200);
    expect(validate('get', '/api/recording-sessions/{id}', 200, got.body)).toEqual([]);
    expect(got.body.participants.map((p) => p.role)).toEqual(['host', 'guest']);
    expect(got.body.tracks.map((x) => [x.participantId, x.offsetMs, x.sizeBytes])).toEqual([
      [host.body.id, 0, wavA.length],
      [guest.body.id, 500, wavB.length],
    ]);
    expect(
      got.body.events.filter((e) => e.participantId === guest.body.id).map((e) => e.kind),
    ).toEqual(['invited', 'joined', 'upload_started', 'failed', 'completed']);
    // Each track is a catalog track as well (analysis, versions, shares as usual).
    const catalogTrack = got.body.tracks[1]!.trackId;
    expect((await owner.json('GET', `/api/tracks/${catalogTrack}`)).status).toBe(200);
    const listed = await owner.json<{ items: { id: string }[] }>('GET', '/api/recording-sessions');
    expect(listed.body.items.map((s) => s.id)).toContain(id);

    expect((await owner.json('DELETE', path)).status).toBe(204);
    expect((await owner.json('GET', path)).status).toBe(404);
    expect((await owner.json('GET', `/api/tracks/${catalogTrack}`)).status).toBe(404);
  });

  it('answers 404 to another organization on every route and upload naming the session', async () => {
    const { body } = await owner.json<{ id: string }>('POST', '/api/recording-sessions', {
      title: 'Private',
    });
    const path = `/api/recording-sessions/${body.id}`;
    const participant = (
      await owner.json<{ id: string }>('POST', `${path}/participants`, {
        name: 'Pia',
        email: 'pia@example.com',
        role: 'engineer',
      })
    ).body.id;
    expect((await other.json('GET', path)).status).toBe(404);
    expect((await other.json('DELETE', path)).status).toBe(404);
    expect(
      (
        await other.json('POST', `${path}/participants`, {
          name: 'Eve',
          email: 'eve@example.com',
          role: 'guest',
        })
      ).status,
    ).toBe(404);
    expect((await other.json('GET', `${path}/participants/${participant}/upload`)).status).toBe(
      404,
    );
    const wav = readFileSync(tone(t.dataDir, 'eve.wav', { seconds: 1 }));
    const upload = await tusUpload(t.url, otherToken, wav, {
      recordingSession: body.id,
      participant,
      filename: 'eve.wav',
    });
    expect(upload.create).toBe(404);
    // A file that is not audio is refused at its end (415) and recorded as a failed upload.
    const junk = await tusUpload(t.url, ownerToken, Buffer.alloc(2000, 7), {
      recordingSession: body.id,
      participant,
      filename: 'notes.txt',
    });
    expect(junk.statuses.at(-1)).toBe(415);
    const events = await owner.json<{ events: { kind: string; detail: unknown }[] }>('GET', path);
    expect(events.body.events.at(-1)).toMatchObject({
      kind: 'failed',
      detail: { reason: 'not_audio' },
    });
    const list = await other.json<{ items: { id: string }[] }>('GET', '/api/recording-sessions');
    expect(list.body.items.map((s) => s.id)).not.toContain(body.id);
    // Still there for its owner.
    expect((await owner.json('GET', path)).status).toBe(200);
  });

  it('keeps transcripts off until an admin turns them on', async () => {
    const off = await owner.json('GET', '/api/organization/transcripts');
    expect(off).toEqual({ status: 200, body: { enabled: false } });
    expect(validate('get', '/api/organization/transcripts', 200, off.body)).toEqual([]);
    const on = await owner.json('PUT', '/api/organization/transcripts', { enabled: true });
    expect(on).toEqual({ status: 200, body: { enabled: true } });
    expect((await other.json('GET', '/api/organization/transcripts')).body).toEqual({
      enabled: false,
    });
    await owner.json('PUT', '/api/organization/transcripts', { enabled: false });
  });

  it('publishes the recording-session routes in the OpenAPI document', () => {
    const paths = t.server.openapi.paths;
    expect(Object.keys(paths['/api/recording-sessions'] ?? {})).toEqual(['post', 'get']);
    expect(Object.keys(paths['/api/recording-sessions/{id}'] ?? {})).toEqual(['get', 'delete']);
    expect(Object.keys(paths['/api/recording-sessions/{id}/participants'] ?? {})).toEqual(['post']);
    expect(paths['/api/recording-sessions/{id}/participants/{participantId}/upload']).toBeDefined();
  });
});

describe('the transcription engine setting', () => {
  it('is off unless VAULTMARK_TRANSCRIBER names the local engine', () => {
    const at = { dataDir: '/tmp/vaultmark-config-check', port: 0 };
    expect(loadConfig({}, at).transcriber).toBeUndefined();
    expect(loadConfig({ VAULTMARK_TRANSCRIBER: 'none' }, at).transcriber).toBeUndefined();
    expect(loadConfig({ VAULTMARK_TRANSCRIBER: 'pocketsphinx' }, at).transcriber).toBe(
      'pocketsphinx',
    );
  });
});
