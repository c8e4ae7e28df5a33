import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { createApp } from '../app.js';
import { listen, type RunningServer } from '../listen.js';
import { receiveAudioUpload } from './multipart.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-upload-'));
const spool = join(dir, 'spool');
mkdirSync(spool);
const wavPath = tone(dir, 'tone.wav');
const wav = readFileSync(wavPath);

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close(100)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(maxBytes: number) {
  const { app } = createApp({ logger: pino({ level: 'silent' }) });
  app.use(async (ctx) => {
    const upload = await receiveAudioUpload(ctx, { maxBytes, tmpDir: spool });
    const bytes = await buffer(upload.open());
    const spooled = readdirSync(spool).map((f) => readFileSync(join(spool, f)));
    const plaintext = spooled.some((b) => b.includes(wav.subarray(0, 64)));
    ctx.body = {
      name: upload.originalName,
      format: upload.format,
      size: upload.size,
      sha256: upload.sha256,
      fields: upload.fields,
      same: bytes.equals(wav),
      plaintext,
    };
    await upload.discard();
  });
  const server = await listen(app, 0);
  running.push(server);
  return server.url;
}

function form(bytes: Uint8Array<ArrayBuffer>, name: string, field = 'file'): FormData {
  const data = new FormData();
  data.set('title', 'Demo');
  data.set(field, new Blob([bytes]), name);
  return data;
}

describe('receiveAudioUpload', () => {
  it('spools an audio file, hashing it, whatever name and type the client claims', async () => {
    const url = await start(1024 * 1024);
    const response = await fetch(url, { method: 'POST', body: form(wav, '../../evil.exe') });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      name: 'evil.exe',
      format: 'wav',
      size: wav.length,
      sha256: createHash('sha256').update(wav).digest('hex'),
      fields: { title: 'Demo' },
      same: true,
      plaintext: false,
    });
  });

  it('refuses files over the limit and leaves no partial file', async () => {
    const url = await start(wav.length - 100);
    const response = await fetch(url, { method: 'POST', body: form(wav, 'big.wav') });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
    expect(readdirSync(spool)).toEqual([]);
  });

  it('refuses what is not audio by its bytes, and forms without the file', async () => {
    const url = await start(1024 * 1024);
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');
    const notAudio = await fetch(url, { method: 'POST', body: form(html, 'song.wav') });
    expect(notAudio.status).toBe(415);
    const wrongField = await fetch(url, { method: 'POST', body: form(wav, 'a.wav', 'other') });
    expect(wrongField.status).toBe(400);
    const notMultipart = await fetch(url, { method: 'POST', body: 'x' });
    expect(notMultipart.status).toBe(415);
    const empty = await fetch(url, { method: 'POST', body: form(new Uint8Array(0), 'a.wav') });
    expect(empty.status).toBe(400);
    const hostile = form(wav, 'a.wav');
    hostile.set('title', 'a\u0000b');
    const nul = await fetch(url, { method: 'POST', body: hostile });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { code: string } }).error.code).toBe(
      'validation_failed',
    );
    expect(readdirSync(spool)).toEqual([]);
    expect(existsSync(spool)).toBe(true);
  });
});
