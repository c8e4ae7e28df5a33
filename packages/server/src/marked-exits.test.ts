import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, music } from '../test/music.js';
import {
  Browserless,
  eventually,
  mailedCode,
  startTestServer,
  type TestServer,
} from '../test/vault-server.js';

interface Investigation {
  id: string;
  status: string;
  result?: {
    identified: boolean;
    subject?: string;
    recipient?: { name: string; email: string };
    falsePositiveProbability?: number;
    matches: { subject: string; recipient: { name: string } }[];
  };
}

/**
 * Every copy that leaves the vault is traceable to whoever received it: for each exit a person
 * other than the owner has (a recipient's stream and download, a guest's review copy, a studio
 * member's download of the current and of an older version, and of a stem), the copy is fetched as that person
 * would, cut to 20 seconds, encoded to a 128 kbps MP3 and investigated: the vault names exactly
 * that person, with a false-positive bound below 1e-9.
 */
describe('every exit is marked', () => {
  let t: TestServer;
  let owner: Browserless;
  let member: Browserless;
  let studio: string;
  let trackId: string;
  let master: Buffer<ArrayBuffer>;

  beforeAll(async () => {
    t = await startTestServer('pglite');
    owner = new Browserless(t.url);
    member = new Browserless(t.url);
    await owner.register('owner@label.example', 'Label Owner');
    await member.register('engineer@label.example', 'Mix Engineer');
    studio = (await owner.json<{ id: string }>('POST', '/api/organizations', { name: 'Label' }))
      .body.id;
    owner.organization = studio;
    await owner.json('PUT', '/api/organization/members', {
      email: 'engineer@label.example',
      role: 'member',
    });
    const invitation = (await member.json<{ items: { id: string }[] }>('GET', '/api/invitations'))
      .body.items[0]!;
    await member.json('POST', `/api/invitations/${invitation.id}/accept`);
    member.organization = studio;
    master = readFileSync(music(t.dataDir, 'single.wav', 40)) as Buffer<ArrayBuffer>;
    const form = new FormData();
    form.set('file', new Blob([master]), 'Single.wav');
    trackId = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body.id;
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** Cuts 20 s of a fetched copy, encodes a 128 kbps MP3 and investigates it as the owner. */
  async function trace(name: string, bytes: Buffer): Promise<Investigation> {
    const copy = join(t.dataDir, `${name}.copy`);
    writeFileSync(copy, bytes);
    const leak = join(t.dataDir, `${name}.mp3`);
    ffmpeg('-ss', '8', '-t', '20', '-i', copy, '-c:a', 'libmp3lame', '-b:a', '128k', leak);
    const form = new FormData();
    form.set('file', new Blob([readFileSync(leak)]), `${name}.mp3`);
    const started = await owner.json<{ id: string }>('POST', '/api/investigations', form);
    expect(started.status).toBe(202);
    return eventually(async () => {
      const state = await owner.json<Investigation>(
        'GET',
        `/api/investigations/${started.body.id}`,
      );
      return state.body.status === 'succeeded' || state.body.status === 'failed'
        ? state.body
        : undefined;
    }, 240_000);
  }

  function expectNamed(found: Investigation, subject: string, name: string) {
    expect(found.status).toBe('succeeded');
    expect(found.result?.identified).toBe(true);
    expect(found.result?.matches.map((m) => [m.subject, m.recipient.name])).toEqual([
      [subject, name],
    ]);
    expect(found.result?.falsePositiveProbability).toBeLessThan(1e-9);
  }

  it('recipients: the stream is a marked MP3 preview, the download a marked WAV', async () => {
    const share = await owner.json<{ links: { recipientName: string; url: string }[] }>(
      'POST',
      '/api/shares',
      {
        trackIds: [trackId],
        recipients: [
          { name: 'Ann Listener', email: 'ann@example.com' },
          { name: 'Dan Downloader', email: 'dan@example.com' },
        ],
        allowDownload: true,
        previewKbps: 192,
      },
    );
    expect(share.status).toBe(201);
    const [ann, dan] = share.body.links;
    const stream = await fetch(`${ann!.url}/tracks/${trackId}/stream`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('audio/mpeg');
    const preview = Buffer.from(await stream.arrayBuffer());
    // Lossy, at the share's rate: the decoder says so, and it is far smaller than the WAV.
    const previewPath = join(t.dataDir, 'preview.mp3');
    writeFileSync(previewPath, preview);
    const probe = execFileSync('ffprobe', [
      ...['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,bit_rate'],
      ...['-of', 'csv=p=0', previewPath],
    ])
      .toString()
      .trim();
    expect(probe).toBe('mp3,192000');
    expect(preview.length).toBeLessThan(master.length / 5);
    // A seek is a byte range of the same preview.
    const ranged = await fetch(`${ann!.url}/tracks/${trackId}/stream`, {
      headers: { Range: 'bytes=100000-100999' },
    });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(preview.subarray(100000, 101000))).toBe(
      true,
    );
    expectNamed(await trace('ann-stream', preview), 'recipient', 'Ann Listener');

    const download = await fetch(`${dan!.url}/tracks/${trackId}/download`);
    expect(download.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await download.arrayBuffer());
    expect(wav.equals(master)).toBe(false);
    expectNamed(await trace('dan-download', wav), 'recipient', 'Dan Downloader');
  }, 400_000);

  it('counts plays from what it serves, not from what the player reports', async () => {
    const share = await owner.json<{ links: { url: string }[] }>('POST', '/api/shares', {
      trackIds: [trackId],
      recipients: [{ name: 'Pat Player', email: 'pat@example.com' }],
      maxPlays: 2,
    });
    const stream = `${share.body.links[0]!.url}/tracks/${trackId}/stream`;
    const get = (range?: string) =>
      fetch(stream, range ? { headers: { Range: range } } : {}).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    // Two plays (the start of the audio), each with seeks that are not counted; no beacon at all.
    expect(await get('bytes=0-')).toBe(206);
    expect(await get('bytes=50000-')).toBe(206);
    expect(await get()).toBe(200);
    expect(await get('bytes=90000-90999')).toBe(206);
    expect(await get('bytes=0-')).toBe(429);
    const detail = await owner.json<{ recipients: { plays: number }[] }>(
      'GET',
      `/api/shares/${(await owner.json<{ items: { id: string }[] }>('GET', '/api/shares')).body.items[0]!.id}`,
    );
    expect(detail.body.recipients[0]!.plays).toBe(2);
  }, 120_000);

  it('a guest reviewer gets a copy marked for their token', async () => {
    const created = await owner.json<{ token: string }>('POST', '/api/guest-tokens', {
      label: 'Outside mastering',
      trackId,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const audio = await fetch(`${t.url}/api/guest/tracks/${trackId}/audio`, {
      headers: { 'X-Vaultmark-Guest-Token': created.body.token },
    });
    expect(audio.status).toBe(200);
    const copy = Buffer.from(await audio.arrayBuffer());
    expect(copy.equals(master)).toBe(false);
    expectNamed(await trace('guest', copy), 'guest', 'guest: Outside mastering');
  }, 300_000);

  it('an invited guest reviewer, signed in by link and emailed code, gets a copy marked for them', async () => {
    const invited = await owner.json<{ url: string }>('POST', '/api/guest-invitations', {
      name: 'Mo Mixer',
      email: 'mo@example.com',
      trackId,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(invited.status).toBe(201);
    const link = invited.body.url.slice(invited.body.url.indexOf('#') + 1);
    const guest = new Browserless(t.url);
    expect((await guest.json('POST', '/api/guest/code', { link })).status).toBe(202);
    const code = await mailedCode(join(t.dataDir, 'outbox'), 'mo@example.com');
    const signed = await guest.json<{ session: string }>('POST', '/api/guest/session', {
      link,
      code,
    });
    expect(signed.status).toBe(201);
    const audio = await fetch(`${t.url}/api/guest/review/tracks/${trackId}/audio`, {
      headers: { 'X-Vaultmark-Guest-Session': signed.body.session },
    });
    expect(audio.status).toBe(200);
    const copy = Buffer.from(await audio.arrayBuffer());
    expect(copy.equals(master)).toBe(false);
    const found = await trace('guest-review', copy);
    expect(found.status).toBe('succeeded');
    expect(found.result?.matches.map((m) => m.subject)).toEqual(['guest']);
    expect(found.result?.falsePositiveProbability).toBeLessThan(1e-9);
  }, 300_000);

  it('a studio member gets marked copies of every version; the owner gets the master', async () => {
    const form = new FormData();
    form.set('file', new Blob([master]), 'Single v2.wav');
    expect((await owner.request('POST', `/api/tracks/${trackId}/versions`, form)).status).toBe(201);
    const current = await member.request('GET', `/api/tracks/${trackId}/audio`);
    expect(current.status).toBe(200);
    expect(current.headers.get('content-type')).toBe('audio/wav');
    const copy = Buffer.from(await current.arrayBuffer());
    expect(copy.equals(master)).toBe(false);
    expectNamed(
      await trace('member', copy),
      'member',
      'member: Mix Engineer <engineer@label.example>',
    );
    // An older version leaves marked too, and a member cannot ask for the master.
    const older = await member.request('GET', `/api/tracks/${trackId}/audio?version=1&master=true`);
    expect(older.status).toBe(403);
    const v1 = await member.request('GET', `/api/tracks/${trackId}/audio?version=1`);
    expect(v1.status).toBe(200);
    const v1Copy = Buffer.from(await v1.arrayBuffer());
    expect(v1Copy.equals(master)).toBe(false);
    expectNamed(
      await trace('member-v1', v1Copy),
      'member',
      'member: Mix Engineer <engineer@label.example>',
    );
    // The owner downloads the master as it was uploaded, unless the organization marks owners'
    // downloads too; then the master takes an explicit request.
    const own = await owner.request('GET', `/api/tracks/${trackId}/audio`);
    expect(Buffer.from(await own.arrayBuffer()).equals(master)).toBe(true);
    const policy = await owner.json('PUT', '/api/organization/download-policy', {
      markOwnerDownloads: true,
    });
    expect(policy.body).toEqual({ markOwnerDownloads: true });
    const marked = await owner.request('GET', `/api/tracks/${trackId}/audio`);
    expect(marked.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await marked.arrayBuffer()).equals(master)).toBe(false);
    const asked = await owner.request('GET', `/api/tracks/${trackId}/audio?master=true`);
    expect(Buffer.from(await asked.arrayBuffer()).equals(master)).toBe(true);
    expect(
      (await member.json('PUT', '/api/organization/download-policy', { markOwnerDownloads: false }))
        .status,
    ).toBe(403);
  }, 300_000);

  it('a stem leaves marked for a member, and as separated for the owner', async () => {
    expect((await owner.request('POST', `/api/tracks/${trackId}/stems`)).status).toBe(202);
    const stems = await eventually(async () => {
      const state = await owner.json<{ status: string; stems: { name: string; url: string }[] }>(
        'GET',
        `/api/tracks/${trackId}/stems`,
      );
      return state.body.status === 'done' || state.body.status === 'failed'
        ? state.body
        : undefined;
    }, 240_000);
    expect(stems.status).toBe('done');
    const other = stems.stems.find((s) => s.name === 'other')!;
    const own = Buffer.from(await (await owner.request('GET', other.url)).arrayBuffer());
    const copy = await member.request('GET', other.url);
    expect(copy.status).toBe(200);
    const marked = Buffer.from(await copy.arrayBuffer());
    expect(marked.equals(own)).toBe(false);
    expectNamed(
      await trace('member-stem', marked),
      'member',
      'member: Mix Engineer <engineer@label.example>',
    );
  }, 400_000);

  it('lists every route that returns audio, so a new one has to be placed here', () => {
    const audioRoutes = Object.entries(t.server.openapi.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { responses?: Record<string, unknown> }>)
        .filter(([, op]) => /audio\/|octet-stream/.test(JSON.stringify(op.responses ?? {})))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    // Each is marked for anyone but the owner (proved above), or returns no audio at all.
    expect(audioRoutes.sort()).toEqual(
      [
        'GET /api/guest/review/tracks/{trackId}/audio',
        'GET /api/guest/tracks/{trackId}/audio',
        'GET /api/tracks/{id}/audio',
        'GET /api/tracks/{id}/stems/{name}',
        'GET /s/{token}/tracks/{trackId}/download',
        'GET /s/{token}/tracks/{trackId}/stream',
        // Encrypted exports (owners), not playable audio.
        'POST /api/organization/export',
        'POST /api/watermark-keys/export',
      ].sort(),
    );
  });
});
