import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../../test/openapi-validator.js';
import { tone } from '../../test/tone.js';
import { tusUpload } from '../../test/tus-client.js';
import { Browserless, engines, startTestServer, type TestServer } from '../../test/vault-server.js';
import { PARTICIPANT_TOKEN_HEADER } from './recording-routes.js';

describe.each(engines)('participant links over HTTP on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let other: Browserless;
  let validate: ReturnType<typeof createResponseValidator>;

  beforeAll(async () => {
    t = await startTestServer(engine);
    validate = createResponseValidator(t.server.openapi);
    owner = new Browserless(t.url);
    await owner.register('links@example.com', 'Links Studio');
    other = new Browserless(t.url);
    await other.register('elsewhere@example.com', 'Elsewhere');
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A session of `who` with one invited participant, and the token their invitation carries. */
  async function invited(who: Browserless, email: string) {
    const s = await who.json<{ id: string }>('POST', '/api/recording-sessions', { title: email });
    const p = await who.json<{ id: string }>(
      'POST',
      `/api/recording-sessions/${s.body.id}/participants`,
      { name: 'Noa', email, role: 'guest' },
    );
    const outbox = join(t.dataDir, 'outbox');
    const mail = readdirSync(outbox)
      .map((f) => readFileSync(join(outbox, f), 'utf8'))
      .find((m) => m.includes(`To: ${email}`));
    const token = /\/participate#(\S+)/.exec(mail ?? '')?.[1];
    expect(token).toBeDefined();
    return { sessionId: s.body.id, participantId: p.body.id, token: token as string };
  }
  const view = (token: string) =>
    fetch(`${t.url}/api/participant-link`, { headers: { [PARTICIPANT_TOKEN_HEADER]: token } });
  const upload = (token: string, target: { sessionId: string; participantId: string }) =>
    tusUpload(
      `${t.url}/api/participant-uploads`,
      { [PARTICIPANT_TOKEN_HEADER]: token },
      readFileSync(tone(t.dataDir, 'noa.wav', { seconds: 2, hz: 440 })),
      {
        recordingSession: target.sessionId,
        participant: target.participantId,
        startedAt: '2026-03-02T18:00:00.000Z',
        filename: 'noa.wav',
      },
      { corruptFirstTry: 64 * 1024 },
    );

  it('lets the invited participant see their view and upload their own track, nothing else', async () => {
    const a = await invited(owner, 'noa@example.com');
    const b = await invited(owner, 'noa-b@example.com');
    const c = await invited(other, 'noa-c@example.com');

    const seen = await view(a.token);
    expect(seen.status).toBe(200);
    const body = await seen.json();
    expect(validate('get', '/api/participant-link', 200, body)).toEqual([]);
    expect(body).toMatchObject({
      session: { id: a.sessionId, title: 'noa@example.com' },
      participant: { id: a.participantId, name: 'Noa' },
      upload: { endpoint: '/api/participant-uploads', checksumAlgorithm: 'sha256' },
    });

    // Its own upload, through a chunk that fails its checksum once.
    const done = await upload(a.token, a);
    expect(done.statuses).toContain(460);
    expect(done.statuses.at(-1)).toBe(200);
    const session = await owner.json<{
      tracks: { participantId: string }[];
      events: { kind: string }[];
    }>('GET', `/api/recording-sessions/${a.sessionId}`);
    expect(session.body.tracks.map((x) => x.participantId)).toEqual([a.participantId]);
    expect(session.body.events.map((e) => e.kind)).toContain('failed');
    expect(((await (await view(a.token)).json()) as { tracks: unknown[] }).tracks).toHaveLength(1);

    // Another session of the organization, another organization, another participant: 404.
    for (const target of [
      b,
      c,
      { sessionId: a.sessionId, participantId: b.participantId },
      { sessionId: c.sessionId, participantId: a.participantId },
    ]) {
      expect((await upload(a.token, target)).create).toBe(404);
    }
    // A partial upload belongs to its token: another token cannot read or continue it.
    const started = await fetch(`${t.url}/api/participant-uploads`, {
      method: 'POST',
      headers: {
        [PARTICIPANT_TOKEN_HEADER]: a.token,
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '100000',
        'Upload-Metadata': `recordingSession ${btoa(a.sessionId)},participant ${btoa(a.participantId)}`,
      },
    });
    expect(started.status).toBe(201);
    const location = new URL(started.headers.get('location')!, t.url).toString();
    const head = await fetch(location, {
      method: 'HEAD',
      headers: { [PARTICIPANT_TOKEN_HEADER]: b.token, 'Tus-Resumable': '1.0.0' },
    });
    expect(head.status).toBe(404);
    // A member's API session is not a participant token, and no token is no access.
    expect((await view('')).status).toBe(401);
    expect((await upload('', a)).create).toBe(401);
    const [id, secret] = a.token.split('.') as [string, string];
    expect(
      (await view(`${id}.${secret.replace(/^./, (x) => (x === 'A' ? 'B' : 'A'))}`)).status,
    ).toBe(401);
    // Another organization cannot remove the participant; its own organization can.
    const remove = `/api/recording-sessions/${a.sessionId}/participants/${a.participantId}`;
    expect((await other.request('DELETE', remove)).status).toBe(404);
    expect((await owner.request('DELETE', remove)).status).toBe(204);
    expect((await view(a.token)).status).toBe(401);
    expect((await upload(a.token, a)).create).toBe(401);
  });
});
