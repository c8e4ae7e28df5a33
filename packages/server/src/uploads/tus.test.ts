import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import pino from 'pino';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { createApp } from '../app.js';
import { authenticate } from '../auth/authenticate.js';
import type { SessionResolver } from '../auth/caller.js';
import { CsrfTokens } from '../auth/csrf.js';
import { listen, type RunningServer } from '../listen.js';
import { type FinishedUpload, tusUploads } from './tus.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-tus-'));
const wavPath = tone(dir, 'tone.wav', { seconds: 2 });
const wav = readFileSync(wavPath);

const sessions: SessionResolver = {
  async resolve(token) {
    if (token === 'token-of-alice-0000')
      return { userId: 'alice', tenantId: 'ta', sessionId: 'sa' };
    if (token === 'token-of-bob-000000') return { userId: 'bob', tenantId: 'tb', sessionId: 'sb' };
    return undefined;
  },
};
const finished: { upload: FinishedUpload; sha256: string }[] = [];
const failed: { metadata: Record<string, string>; reason: string }[] = [];
let server: RunningServer;

beforeAll(async () => {
  const check = authenticate(sessions, new CsrfTokens(new Uint8Array(32)), {
    publicOrigin: 'http://vault.test',
  });
  const { app } = createApp({ logger: pino({ level: 'silent' }) });
  app.use(
    tusUploads({
      path: '/api/uploads',
      dir: join(dir, 'partial'),
      spoolSecret: new Uint8Array(32).fill(9),
      maxBytes: 1024 * 1024,
      authenticate: check,
      onComplete: async (upload) => {
        finished.push({
          upload,
          sha256: createHash('sha256')
            .update(await buffer(upload.open()))
            .digest('hex'),
        });
        return { id: `trk_${finished.length}`, title: upload.originalName };
      },
      onCreate: async ({ metadata }) => {
        if (metadata.session === 'elsewhere') throw { status_code: 404, body: 'not found\n' };
      },
      onFailed: async ({ metadata, reason }) => {
        failed.push({ metadata, reason });
      },
    }),
  );
  server = await listen(app, 0);
});
afterAll(async () => {
  await server.close(100);
  rmSync(dir, { recursive: true, force: true });
});

function upload(bytes: Buffer, token: string, name: string) {
  return new Promise<{ url: string; body: string }>((resolve, reject) => {
    const request = new tus.Upload(bytes, {
      endpoint: `${server.url}/api/uploads`,
      chunkSize: 32 * 1024,
      retryDelays: [],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: name },
      uploadSize: bytes.length,
      onError: reject,
      onSuccess: (payload) =>
        resolve({ url: request.url ?? '', body: payload.lastResponse.getBody() ?? '' }),
    });
    request.start();
  });
}

describe('tus uploads', () => {
  it('receives a file in chunks and hands it to the application once complete', async () => {
    const result = await upload(wav, 'token-of-alice-0000', 'Demo.wav');
    expect(JSON.parse(result.body)).toEqual({ id: 'trk_1', title: 'Demo.wav' });
    expect(finished[0]?.sha256).toBe(createHash('sha256').update(wav).digest('hex'));
    expect(finished[0]?.upload).toMatchObject({
      size: wav.length,
      format: 'wav',
      originalName: 'Demo.wav',
    });
    expect(finished[0]?.upload.caller.userId).toBe('alice');
    expect(readdirSync(join(dir, 'partial'))).toEqual([]);
  });

  it('hides an upload from everyone but its owner', async () => {
    const create = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer token-of-alice-0000',
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(wav.length),
      },
    });
    expect(create.status).toBe(201);
    const location = new URL(create.headers.get('location')!, server.url).toString();
    const head = (token: string) =>
      fetch(location, {
        method: 'HEAD',
        headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' },
      });
    expect((await head('token-of-alice-0000')).status).toBe(200);
    expect((await head('token-of-bob-000000')).status).toBe(404);
    // Half an upload sits on disk encrypted: not a byte of the WAV header in the clear.
    const half = await fetch(location, {
      method: 'PATCH',
      headers: {
        Authorization: 'Bearer token-of-alice-0000',
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: wav.subarray(0, 4096),
    });
    expect(half.status).toBe(204);
    const onDisk = readdirSync(join(dir, 'partial'))
      .filter((name) => !name.endsWith('.json'))
      .map((name) => readFileSync(join(dir, 'partial', name)));
    expect(onDisk.length).toBeGreaterThan(0);
    for (const bytes of onDisk) {
      expect(bytes.includes(Buffer.from('RIFF'))).toBe(false);
      expect(bytes.includes(wav.subarray(44, 200))).toBe(false);
    }
    expect(
      (await fetch(location, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })).status,
    ).toBe(401);
  });

  it('refuses uploads that are too large or not audio', async () => {
    await expect(
      upload(Buffer.alloc(2 * 1024 * 1024, 1), 'token-of-bob-000000', 'big.wav'),
    ).rejects.toThrow(/413/);
    await expect(
      upload(Buffer.from('<html>not audio</html>'.repeat(100)), 'token-of-bob-000000', 'x.wav'),
    ).rejects.toThrow(/415/);
    await expect(upload(wav, 'token-of-bob-000000', 'bad\u0000name.wav')).rejects.toThrow(/400/);
    expect(finished.filter((f) => f.upload.caller.userId === 'bob')).toEqual([]);
  });

  it('verifies each chunk’s SHA-256 (tus checksum extension): a corrupted chunk is refused with 460 and sent again', async () => {
    const alice = { Authorization: 'Bearer token-of-alice-0000', 'Tus-Resumable': '1.0.0' };
    const options = await fetch(`${server.url}/api/uploads`, { method: 'OPTIONS', headers: alice });
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha256');
    expect(options.headers.get('tus-extension')?.split(',')).toContain('checksum');

    const create = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: {
        ...alice,
        'Upload-Length': String(wav.length),
        'Upload-Metadata': `filename ${Buffer.from('Checked.wav').toString('base64')},session ${Buffer.from('s1').toString('base64')}`,
      },
    });
    expect(create.status).toBe(201);
    const location = new URL(create.headers.get('location')!, server.url).toString();
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');
    const patch = (offset: number, body: Buffer, checksum?: string) =>
      fetch(location, {
        method: 'PATCH',
        headers: {
          ...alice,
          'Upload-Offset': String(offset),
          'Content-Type': 'application/offset+octet-stream',
          ...(checksum ? { 'Upload-Checksum': checksum } : {}),
        },
        body: new Uint8Array(body),
      });
    const offset = async () =>
      Number(
        (await fetch(location, { method: 'HEAD', headers: alice })).headers.get('upload-offset'),
      );
    const half = Math.floor(wav.length / 2);
    const first = wav.subarray(0, half);
    const second = wav.subarray(half);
    expect((await patch(0, first, `sha256 ${sha(first)}`)).status).toBe(204);
    expect(await offset()).toBe(half);

    // One flipped bit in transit: the server notices, keeps nothing of the chunk, and says so.
    const corrupted = Buffer.from(second);
    corrupted[100]! ^= 0x01;
    const refused = await patch(half, corrupted, `sha256 ${sha(second)}`);
    expect(refused.status).toBe(460);
    expect(await offset()).toBe(half);
    expect(failed).toContainEqual({
      metadata: { filename: 'Checked.wav', session: 's1' },
      reason: 'checksum_mismatch',
    });
    // Other algorithms and malformed digests are refused before any byte is kept.
    expect((await patch(half, second, `md5 ${sha(second)}`)).status).toBe(400);
    expect((await patch(half, second, 'sha256 not-base64!')).status).toBe(400);
    expect(await offset()).toBe(half);

    const done = await patch(half, second, `sha256 ${sha(second)}`);
    expect(done.status).toBe(200);
    const last = finished.at(-1)!;
    expect(last.sha256).toBe(createHash('sha256').update(wav).digest('hex'));
    expect(last.upload.metadata).toEqual({ filename: 'Checked.wav', session: 's1' });
  });

  it('lets the application refuse an upload at creation from its metadata', async () => {
    const refused = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer token-of-alice-0000',
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '100',
        'Upload-Metadata': `session ${Buffer.from('elsewhere').toString('base64')}`,
      },
    });
    expect(refused.status).toBe(404);
  });
});
