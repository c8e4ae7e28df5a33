/**
 * ASVS 5.0 V5 — File Handling. Uploads are judged by their bytes, limited in size, and their
 * names are display text only: hostile names never choose a path on the server or break a
 * response header. Resumable uploads belong to their owner. Media answers byte ranges without
 * failing on hostile ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  bearerOf,
  buildWorld,
  expectError,
  filesUnder,
  noiseWav,
  Outbox,
  prepareServers,
  signUp,
  startServer,
  uniqueEmail,
  type World,
} from '../../test/adversary.js';
import { engines, type TestServer } from '../../test/vault-server.js';

const servers = await prepareServers();

/** A multipart form with `bytes` as `file` named `name`, and extra text fields. */
function form(bytes: Uint8Array<ArrayBuffer>, name: string, fields: Record<string, string> = {}) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  data.set('file', new Blob([bytes]), name);
  return data;
}

/** tus 1.0 creation headers for `length` bytes named `filename`. */
function tusCreate(length: number, filename: string): Record<string, string> {
  return {
    'Tus-Resumable': '1.0.0',
    'Upload-Length': String(length),
    'Upload-Metadata': `filename ${Buffer.from(filename).toString('base64')}`,
  };
}

describe.each(engines)('V5 file handling on %s', (engine) => {
  let w: World;
  let owner: Agent;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
    owner = w.attacker.agent;
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  describe('multipart uploads', () => {
    it.each([
      ['HTML', Buffer.from('<html><script>alert(1)</script></html>'), 'song.wav'],
      ['a script', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'song.mp3'],
      ['a ZIP', Buffer.from('PK\u0003\u0004rest of a zip file'), 'song.flac'],
      ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'song.ogg'],
      ['a WAV header with nothing after it', Buffer.from('RIFF'), 'song.wav'],
    ])('refuses %s named like audio (415)', async (_name, bytes, name) => {
      const answer = await owner.send('POST', '/api/tracks', {
        body: form(new Uint8Array(bytes), name),
      });
      expectError(answer, [400, 415]);
    });

    it('refuses an empty file (400)', async () => {
      expectError(
        await owner.send('POST', '/api/tracks', { body: form(new Uint8Array(0), 'empty.wav') }),
        400,
      );
    });

    it('refuses a form without the file (400)', async () => {
      const data = new FormData();
      data.set('title', 'no file');
      expectError(await owner.send('POST', '/api/tracks', { body: data }), 400);
    });

    it.each([
      ['title', 'NUL', 'a\u0000b'],
      ['title', 'U+001B (escape)', 'a\u001bb'],
      ['artist', 'NUL', 'a\u0000b'],
      ['artist', 'U+007F (delete)', 'a\u007fb'],
    ])('refuses the text field %s with %s (400 validation_failed)', async (field, _name, value) => {
      const answer = await owner.send('POST', '/api/tracks', {
        body: form(noiseWav(0.2, 41), 'ok.wav', { [field]: value }),
      });
      expectError(answer, 400, 'validation_failed');
    });

    it.each([
      ['a traversal', '../../../../../tmp/vaultmark-owned.wav'],
      ['a Windows traversal', '..\\..\\..\\vaultmark-owned.wav'],
      ['an absolute path', '/etc/vaultmark-owned.wav'],
      ['a header injection', 'x.wav"\r\nX-Injected: yes\r\n'],
      ['quotes and semicolons', 'a";b=c;.wav'],
      ['a name of 5 000 characters', `${'n'.repeat(5000)}.wav`],
      ['right-to-left override', 'evil\u202Evaw.exe'],
      ['an HTML name', '<img src=x onerror=alert(1)>.wav'],
    ])('keeps a file name with %s as display text only', async (_name, fileName) => {
      const before = new Set(filesUnder(w.t.dataDir));
      const created = await owner.send('POST', '/api/tracks', {
        body: form(noiseWav(0.2, 43), fileName),
      });
      // Refusing a name (400) is as good as keeping it as text; failing is not.
      expect([201, 400], created.text).toContain(created.status);
      // No new file anywhere is named after the upload.
      const added = filesUnder(w.t.dataDir).filter((f) => !before.has(f));
      expect(added.filter((f) => /owned|Injected|onerror|nnnnnnnn/.test(f))).toEqual([]);
      if (created.status !== 201) return;
      const download = await owner.send('GET', `/api/tracks/${created.body.id}/audio`);
      expect(download.status).toBe(200);
      expect(download.headers.get('x-injected')).toBeNull();
      const disposition = download.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment;/);
      const fallback = /filename="([^"]*)"/.exec(disposition)?.[1] ?? '';
      expect(fallback).not.toMatch(/[/\\\r\n"]/);
      expect(fallback.startsWith('.')).toBe(false);
      expect(download.headers.get('content-type')).toBe('application/octet-stream');
      expect((await owner.send('DELETE', `/api/tracks/${created.body.id}`)).status).toBe(204);
    });

    it('serves an uploaded file as a download, never as a page', async () => {
      const created = await owner.send('POST', '/api/tracks', {
        body: form(noiseWav(0.2, 44), 'page.html'),
      });
      const download = await owner.send('GET', `/api/tracks/${created.body.id}/audio`);
      expect(download.headers.get('content-type')).toBe('application/octet-stream');
      expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  // Limits act on the request stream, before any database: the extra server runs once.
  describe.runIf(engine === engines[0])('size limits', () => {
    let small: TestServer;
    let agent: Agent;
    beforeAll(async () => {
      small = await startServer(engine, { worker: false, env: { MAX_UPLOAD_BYTES: '64KiB' } });
      agent = await signUp(
        new Agent(small.url),
        new Outbox(`${small.dataDir}/outbox`),
        uniqueEmail('small'),
      );
    });
    afterAll(async () => {
      await small?.stop();
    });

    it('refuses a multipart file over the limit with 413 and keeps nothing of it', async () => {
      const answer = await agent.send('POST', '/api/tracks', {
        body: form(noiseWav(10, 45), 'big.wav'),
      });
      expectError(answer, 413, 'payload_too_large');
      expect(filesUnder(`${small.dataDir}/tmp`)).toEqual([]);
      expect((await agent.send('GET', '/api/tracks')).body.total).toBe(0);
    });

    it('refuses a resumable upload over the limit at creation (413)', async () => {
      const bearer = await bearerOf(agent);
      const answer = await bearer.send('POST', '/api/uploads', {
        headers: tusCreate(10_000_000, 'big.wav'),
      });
      expect(answer.status).toBe(413);
    });

    it('refuses a declared Content-Length over the limit before reading the body', async () => {
      const answer = await fetch(`${small.url}/api/tracks`, {
        method: 'POST',
        headers: {
          Cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'X-CSRF-Token': agent.csrf!,
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': String(50 * 1024 * 1024),
        },
        body: '--x--',
      }).catch(() => undefined);
      // Either the 413 answer, or the connection closed on the lie: never a stored file.
      if (answer) expect(answer.status).toBe(413);
      expect(filesUnder(`${small.dataDir}/tmp`)).toEqual([]);
    });
  });

  describe('resumable uploads (tus)', () => {
    let bearer: Agent;
    let other: Agent;
    beforeAll(async () => {
      bearer = await bearerOf(owner);
      other = await bearerOf(w.victim.agent);
    });

    async function create(length: number, filename = 'take.wav'): Promise<string> {
      const created = await bearer.send('POST', '/api/uploads', {
        headers: tusCreate(length, filename),
      });
      expect(created.status, created.text).toBe(201);
      return new URL(created.headers.get('location')!, w.t.url).pathname;
    }

    it("answers another user's upload URL with 404, whatever the method", async () => {
      const url = await create(1000);
      const tus = { 'Tus-Resumable': '1.0.0' };
      expect((await other.send('HEAD', url, { headers: tus })).status).toBe(404);
      const patch = await other.send('PATCH', url, {
        headers: {
          ...tus,
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        },
        body: Buffer.from(noiseWav(0.01, 1).subarray(0, 100)),
      });
      expect(patch.status).toBe(404);
      expect((await other.send('DELETE', url, { headers: tus })).status).toBe(404);
      expect((await bearer.send('HEAD', url, { headers: tus })).status).toBe(200);
    });

    it('refuses a guessed upload id of another user', async () => {
      const url = await create(1000);
      const guessed = url.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
      const answer = await other.send('HEAD', guessed, { headers: { 'Tus-Resumable': '1.0.0' } });
      expect(answer.status).toBe(404);
    });

    it.each([
      ['NUL', 'a\u0000b.wav'],
      ['U+001B (escape)', 'a\u001bb.wav'],
    ])('refuses %s in the filename metadata (400)', async (_name, filename) => {
      const answer = await bearer.send('POST', '/api/uploads', {
        headers: tusCreate(1000, filename),
      });
      expect(answer.status).toBe(400);
    });

    it.each([
      ['a negative length', { 'Upload-Length': '-1' }],
      ['a length that is not a number', { 'Upload-Length': 'lots' }],
      ['a length of 40 digits', { 'Upload-Length': '9'.repeat(40) }],
      ['metadata that is not base64', { 'Upload-Metadata': 'filename %%%not-base64%%%' }],
      ['metadata with a key and no value twice', { 'Upload-Metadata': 'filename,filename' }],
      ['another protocol version', { 'Tus-Resumable': '0.2.2' }],
    ])('refuses a creation with %s without failing', async (_name, headers) => {
      const answer = await bearer.send('POST', '/api/uploads', {
        headers: { ...tusCreate(1000, 'ok.wav'), ...headers },
      });
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
      expect(answer.status, answer.text).toBeLessThan(500);
    });

    it.each([
      ['an offset that is not a number', 'abc'],
      ['a negative offset', '-5'],
      ['an offset past the length', '5000'],
    ])('refuses a chunk with %s without failing', async (_name, offset) => {
      const url = await create(1000);
      const answer = await bearer.send('PATCH', url, {
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': offset,
          'Content-Type': 'application/offset+octet-stream',
        },
        body: Buffer.alloc(10),
      });
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
      expect(answer.status, answer.text).toBeLessThan(500);
    });

    it('refuses a finished upload that is not audio (415) and keeps nothing of it', async () => {
      const bytes = Buffer.from('<html>not audio at all, just a page</html>');
      const url = await create(bytes.length, 'fake.wav');
      const answer = await bearer.send('PATCH', url, {
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        },
        body: bytes,
      });
      expect(answer.status).toBe(415);
      const id = url.split('/').pop()!;
      expect(filesUnder(`${w.t.dataDir}/uploads`).filter((f) => f.includes(id))).toEqual([]);
    });

    it('refuses a chunk at the wrong offset (409) and past the declared length', async () => {
      const url = await create(100);
      const headers = {
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
      };
      const wrong = await bearer.send('PATCH', url, {
        headers: { ...headers, 'Upload-Offset': '50' },
        body: Buffer.alloc(10),
      });
      expect(wrong.status).toBe(409);
      const long = await bearer.send('PATCH', url, {
        headers: { ...headers, 'Upload-Offset': '0' },
        body: Buffer.alloc(200),
      });
      expect(long.status).toBeGreaterThanOrEqual(400);
      expect(long.status).toBeLessThan(500);
    });
  });

  describe('byte ranges of a recipient copy', () => {
    let url: string;
    let whole: Buffer;
    beforeAll(async () => {
      url = `${w.t.url}/s/${w.attacker.fx.shareToken}/tracks/${w.attacker.fx.trackId}/stream`;
      const answer = await fetch(url);
      expect(answer.status).toBe(200);
      whole = Buffer.from(await answer.arrayBuffer());
    });

    it('answers a range with exactly those bytes of the same copy (206)', async () => {
      const answer = await fetch(url, { headers: { Range: 'bytes=100-1123' } });
      expect(answer.status).toBe(206);
      expect(answer.headers.get('content-range')).toBe(`bytes 100-1123/${whole.length}`);
      expect(Buffer.from(await answer.arrayBuffer()).equals(whole.subarray(100, 1124))).toBe(true);
    });

    it('answers a suffix range with the last bytes', async () => {
      const answer = await fetch(url, { headers: { Range: 'bytes=-500' } });
      expect(answer.status).toBe(206);
      expect(Buffer.from(await answer.arrayBuffer()).equals(whole.subarray(-500))).toBe(true);
    });

    it.each([
      ['past the end', 'bytes=999999999-', [416]],
      ['an empty suffix', 'bytes=-0', [416]],
      ['a reversed range', 'bytes=500-100', [200, 416]],
      ['several ranges', 'bytes=0-10,20-30', [200, 206, 416]],
      ['not bytes', 'items=0-10', [200, 416]],
      ['garbage', 'bytes=abc-def', [200, 416]],
      ['a number of 30 digits', `bytes=0-${'9'.repeat(30)}`, [200, 206, 416]],
      ['a negative start', 'bytes=-5-10', [200, 416]],
    ])('answers a range %s without failing', async (_name, range, statuses) => {
      const answer = await fetch(url, { headers: { Range: range as string } });
      expect(statuses).toContain(answer.status);
      await answer.arrayBuffer();
    });
  });
});
