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
});
