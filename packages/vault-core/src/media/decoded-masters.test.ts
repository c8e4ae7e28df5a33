import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { DecodedMasters } from './decoded-masters.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-masters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const a = readFileSync(tone(dir, 'a.wav', { seconds: 3, hz: 440 }));
// Same size and the same first 64 KiB, different audio afterwards.
const b = Buffer.from(a);
for (let i = 100_000; i < b.length; i += 2) b.writeInt16LE(0, i);

/** A stream of `bytes` in 16 KiB chunks that records how much was read. */
function source(bytes: Buffer) {
  let read = 0;
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 16_384) chunks.push(bytes.subarray(i, i + 16_384));
  const stream = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        read += chunk.length;
        yield chunk;
      }
    })(),
  );
  return { stream, read: () => read };
}

describe('DecodedMasters', () => {
  it('decodes once, then serves stream requests without reading the whole master', async () => {
    let now = 0;
    const masters = new DecodedMasters(512 * 1024 * 1024, () => now);
    const hint = { trackId: 't', sizeBytes: a.length, quick: true };
    const first = source(a);
    const decoded = await masters.load(first.stream, hint);
    expect(first.read()).toBe(a.length);
    expect(decoded.sampleRate).toBe(44_100);
    const again = source(a);
    expect(await masters.load(again.stream, hint)).toBe(decoded);
    expect(again.read()).toBeLessThan(100_000);

    // A download reads everything and so sees different audio behind the same beginning.
    const download = source(b);
    const other = await masters.load(download.stream, { ...hint, quick: false });
    expect(download.read()).toBe(b.length);
    expect(other.sha256).not.toBe(decoded.sha256);

    // After the quick match expires, a stream request reads everything again.
    now += 6 * 60_000;
    const later = source(b);
    expect((await masters.load(later.stream, hint)).sha256).toBe(other.sha256);
    expect(later.read()).toBe(b.length);
  });

  it('keeps at most maxBytes of samples, dropping the least recently used', async () => {
    const masters = new DecodedMasters(3 * 44_100 * 4 + 10);
    const one = await masters.load(source(a).stream, { trackId: 'a', sizeBytes: 0, quick: false });
    await masters.load(source(b).stream, { trackId: 'b', sizeBytes: 0, quick: false });
    // `a` was evicted: loading it again decodes a new object.
    const reloaded = await masters.load(source(a).stream, {
      trackId: 'a',
      sizeBytes: 0,
      quick: false,
    });
    expect(reloaded).not.toBe(one);
    expect(reloaded.sha256).toBe(one.sha256);
  });
});
