/**
 * The data directory's disk full (a small tmpfs mounted for the test, which needs root; the case
 * is skipped where mounting is not allowed): uploads are refused with a clear error, nothing
 * already stored is damaged, and uploads work again once space is freed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { Browserless, startTestServer, type TestServer } from '../../test/vault-server.js';

const url = process.env.TEST_DATABASE_URL;
const mountPoint = mkdtempSync(join(tmpdir(), 'vaultmark-full-'));

/** Mounts an 8 MiB tmpfs on the data directory; false where that is not allowed. */
function mountSmallDisk(): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mountPoint], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

const mounted = Boolean(url) && mountSmallDisk();
if (url && !mounted) console.warn('disk-full case skipped: mounting a tmpfs needs root');
afterAll(() => rmSync(mountPoint, { recursive: true, force: true }));

describe.skipIf(!mounted)('the data directory out of space', () => {
  let t: TestServer;
  let owner: Browserless;
  const filler = join(mountPoint, 'filler');
  const wavPath = tone(tmpdir(), `vaultmark-full-${process.pid}.wav`, { seconds: 3 });
  const wav = readFileSync(wavPath);
  rmSync(wavPath);

  beforeAll(async () => {
    // PostgreSQL keeps the database off this disk: what fills up is blobs and upload spools.
    t = await startTestServer('postgres', { dataDir: mountPoint, worker: false });
    owner = new Browserless(t.url);
    await owner.register('full@example.com', 'Full');
  });
  afterAll(async () => {
    await t?.stop();
    execFileSync('umount', [mountPoint], { stdio: 'ignore' });
  });

  const upload = (name: string) => {
    const form = new FormData();
    form.set('file', new Blob([wav]), name);
    return owner.json<{ id: string; error?: { code: string; message: string } }>(
      'POST',
      '/api/tracks',
      form,
    );
  };
  const titles = async () =>
    (await owner.json<{ items: { title: string }[] }>('GET', '/api/tracks')).body.items
      .map((x) => x.title)
      .sort();

  it('refuses uploads with a clear error, keeps what is stored, and recovers when space is freed', async () => {
    const first = await upload('Kept.wav');
    expect(first.status).toBe(201);

    // Fill the disk to the last byte.
    const block = Buffer.alloc(64 * 1024);
    let written = 0;
    for (;;) {
      try {
        writeFileSync(filler, block, { flag: written === 0 ? 'w' : 'a' });
        written += block.length;
      } catch {
        break;
      }
    }
    for (const size of [4096, 512, 1]) {
      try {
        for (;;) writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
      } catch {
        // Full at this granularity.
      }
    }

    const refused = await upload('Refused.wav');
    expect(refused.status).toBe(507);
    expect(refused.body.error).toEqual({
      code: 'storage_full',
      message: 'the server has no space left to store this',
    });
    expect(await titles()).toEqual(['Kept']);
    const kept = await owner.request('GET', `/api/tracks/${first.body.id}/audio`);
    expect(kept.status).toBe(200);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(sha(Buffer.from(await kept.arrayBuffer()))).toBe(sha(wav));

    rmSync(filler);
    expect((await upload('After.wav')).status).toBe(201);
    expect(await titles()).toEqual(['After', 'Kept']);
  });
});
