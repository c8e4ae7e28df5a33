import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseValidator } from '../test/openapi-validator.js';
import { tone } from '../test/tone.js';
import {
  Browserless,
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from '../test/vault-server.js';

interface Created {
  id: string;
  links: { recipientEmail: string; url: string }[];
}

describe.each(engines)('shares and recipient links on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let trackId: string;
  let validate: ReturnType<typeof createResponseValidator>;

  beforeAll(async () => {
    t = await startTestServer(engine);
    validate = createResponseValidator(t.server.openapi);
    owner = new Browserless(t.url);
    await owner.register('label@example.com', 'Label');
    const form = new FormData();
    const wav = readFileSync(tone(t.dataDir, 'song.wav', { seconds: 5, args: ['-ac', '2'] }));
    form.set('file', new Blob([wav]), 'Song.wav');
    trackId = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body.id;
    await eventually(async () =>
      (await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${trackId}`)).body
        .analysisStatus === 'done'
        ? true
        : undefined,
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function share(body: Record<string, unknown>) {
    const created = await owner.json<Created>('POST', '/api/shares', {
      trackIds: [trackId],
      recipients: [
        { name: 'Ann', email: 'ann@example.com' },
        { name: 'Ben', email: 'ben@example.com', company: 'Ben Records' },
      ],
      ...body,
    });
    expect(validate('post', '/api/shares', created.status, created.body)).toEqual([]);
    expect(created.status).toBe(201);
    return created.body;
  }

  it('gives each recipient a page and a personal watermarked copy, logged for the owner', async () => {
    const created = await share({ allowDownload: true, maxDownloads: 1 });
    expect(created.links.map((l) => l.recipientEmail)).toEqual([
      'ann@example.com',
      'ben@example.com',
    ]);
    for (const link of created.links)
      expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/vml_/);
    const [ann, ben] = created.links as [Created['links'][0], Created['links'][0]];

    const pageResponse = await fetch(ann.url);
    expect(pageResponse.status).toBe(200);
    const text = await pageResponse.text();
    expect(text).toContain('Label shared a track with Ann');
    const streamPath = /data-stream="([^"]+)"/.exec(text)?.[1];
    expect(streamPath).toBe(`${new URL(ann.url).pathname}/tracks/${trackId}/stream`);

    const whole = await fetch(new URL(streamPath!, t.url));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('cache-control')).toBe('private, no-store');
    // A stream is a lossy preview (MP3), never the lossless file.
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    const annCopy = Buffer.from(await whole.arrayBuffer());
    expect(annCopy.subarray(0, 4).toString()).not.toBe('RIFF');
    const part = await fetch(new URL(streamPath!, t.url), {
      headers: { Range: 'bytes=1000-1999' },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(annCopy.subarray(1000, 2000))).toBe(true);

    // Ben's copy differs from Ann's: each carries its own payload.
    const benCopy = Buffer.from(
      await (await fetch(`${ben.url}/tracks/${trackId}/stream`)).arrayBuffer(),
    );
    expect(benCopy.equals(annCopy)).toBe(false);

    const download = await fetch(`${ben.url}/tracks/${trackId}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(
      /^attachment; filename="Song\.wav"/,
    );
    // The download is the lossless WAV, Ben's own: not what his stream (a preview) gave.
    const benWav = Buffer.from(await download.arrayBuffer());
    expect(download.headers.get('content-type')).toBe('audio/wav');
    expect(benWav.subarray(0, 4).toString()).toBe('RIFF');
    expect(benWav.length).toBeGreaterThan(benCopy.length);
    const again = await fetch(`${ben.url}/tracks/${trackId}/download`);
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('limit_reached');

    const peaks = await fetch(`${ann.url}/tracks/${trackId}/peaks`);
    expect(((await peaks.json()) as { bits: number }).bits).toBe(8);
    const stop = await fetch(`${ann.url}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ trackId, type: 'stop', position: 3.5 }),
    });
    expect(stop.status).toBe(204);

    const detail = await owner.json<{
      accessLog: { action: string; recipientName: string; positionSeconds: number | null }[];
      recipients: { name: string; plays: number; downloads: number }[];
    }>('GET', `/api/shares/${created.id}`);
    expect(validate('get', '/api/shares/{id}', detail.status, detail.body)).toEqual([]);
    expect(detail.body.accessLog).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'opened', recipientName: 'Ann' }),
        expect.objectContaining({ action: 'played', recipientName: 'Ann', positionSeconds: 3.5 }),
        expect.objectContaining({ action: 'downloaded', recipientName: 'Ben' }),
      ]),
    );
    expect(detail.body.recipients.find((r) => r.name === 'Ben')?.downloads).toBe(1);

    // Another organization cannot see the share.
    const rival = new Browserless(t.url);
    await rival.register('rival@example.com', 'Rival');
    expect((await rival.json('GET', `/api/shares/${created.id}`)).status).toBe(404);
    expect((await rival.json('POST', `/api/shares/${created.id}/revoke`, {})).status).toBe(404);
    expect((await rival.json<{ items: unknown[] }>('GET', '/api/shares')).body.items).toEqual([]);
    // Sharing another organization's track is refused exactly like an id that does not exist.
    const attempt = (id: string) =>
      rival.json('POST', '/api/shares', {
        trackIds: [id],
        recipients: [{ name: 'X', email: 'x@example.com' }],
      });
    const theirs = await attempt(trackId);
    expect(theirs.status).toBe(400);
    expect(theirs.body).toEqual((await attempt('6d1f3c52-5a43-4e8e-9d1c-0b8f2f1e7a11')).body);

    // Revoked, expired and unknown links all get the same answer.
    const revoked = await owner.json('POST', `/api/shares/${created.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    const gone = await fetch(ann.url);
    const unknown = await fetch(`${new URL(ann.url).origin}/s/vml_${'A'.repeat(43)}`);
    const malformed = await fetch(`${new URL(ann.url).origin}/s/whatever`);
    expect([gone.status, unknown.status, malformed.status]).toEqual([404, 404, 404]);
    const bodies = await Promise.all([gone.text(), unknown.text(), malformed.text()]);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('This link is not available');
    const media = await fetch(`${ann.url}/tracks/${trackId}/stream`);
    expect(media.status).toBe(404);
    expect(((await media.json()) as { error: { code: string } }).error.code).toBe(
      'share_unavailable',
    );
  });

  it('asks for the password, then uses a short-lived cookie scoped to the link', async () => {
    const created = await share({ password: 'open sesame 42' });
    const url = created.links[0]!.url;
    const path = new URL(url).pathname;
    const prompt = await fetch(url);
    expect(prompt.status).toBe(401);
    expect(await prompt.text()).toContain(`action="${path}/unlock"`);
    expect((await fetch(`${url}/tracks/${trackId}/stream`)).status).toBe(401);

    const post = (password: string) =>
      fetch(`${url}/unlock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password }).toString(),
        redirect: 'manual',
      });
    const wrong = await post('guess');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That password is not right.');
    const right = await post('open sesame 42');
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(path);
    const cookie = right.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^vaultmark_grant=vmg_/);
    expect(cookie).toContain(`path=${path}`);
    expect(cookie.toLowerCase()).toContain('httponly');
    const grant = cookie.split(';')[0]!;
    const opened = await fetch(url, { headers: { Cookie: grant } });
    expect(opened.status).toBe(200);
    const stream = await fetch(`${url}/tracks/${trackId}/stream`, {
      headers: { Cookie: grant, Range: 'bytes=0-43' },
    });
    expect(stream.status).toBe(206);
    // The grant belongs to this recipient's link only.
    const other = created.links[1]!.url;
    expect((await fetch(other, { headers: { Cookie: grant } })).status).toBe(401);
  });
});
