import { Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecryptStream, createEncryptStream } from './envelope.js';

const key = Buffer.alloc(32, 7);

async function run(t: Transform, input: Buffer, pieces = 1): Promise<Buffer> {
  const parts: Buffer[] = [];
  const step = Math.max(1, Math.ceil(input.length / pieces));
  for (let i = 0; i < input.length; i += step) parts.push(input.subarray(i, i + step));
  return buffer(Readable.from(parts).pipe(t));
}

describe('chunked envelope encryption', () => {
  it('round-trips any input split at any points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (data, chunk, pieces) => {
          const sealed = await run(
            createEncryptStream(key, 'obj', chunk),
            Buffer.from(data),
            pieces,
          );
          const plain = await run(createDecryptStream(key, 'obj'), sealed, pieces);
          expect(plain.equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never reuses a nonce: equal plaintexts give different ciphertexts', async () => {
    const data = Buffer.alloc(64);
    const a = await run(createEncryptStream(key, 'o', 16), data);
    const b = await run(createEncryptStream(key, 'o', 16), data);
    expect(a.equals(b)).toBe(false);
    // Within one envelope, identical plaintext chunks encrypt differently (distinct nonces).
    const frames = [0, 1, 2].map((i) => a.subarray(15 + i * 32, 15 + i * 32 + 16).toString('hex'));
    expect(new Set(frames).size).toBe(3);
  });

  it('detects truncation, reordering, bit flips, appended data and a swapped object id', async () => {
    const data = Buffer.from('0123456789abcdef'.repeat(4));
    const sealed = await run(createEncryptStream(key, 'obj', 16), data);
    const frame = 32;
    const head = sealed.subarray(0, 15);
    const frames = [0, 1, 2, 3].map((i) => sealed.subarray(15 + i * frame, 15 + (i + 1) * frame));
    const bad = [
      Buffer.concat([head, ...frames.slice(0, 3)]), // truncated at a chunk boundary
      sealed.subarray(0, sealed.length - 5), // truncated mid-chunk
      Buffer.concat([head, frames[1] as Buffer, frames[0] as Buffer, ...frames.slice(2)]),
      Buffer.concat([sealed, frames[3] as Buffer]), // appended
      Buffer.from(sealed).fill(1, 20, 21), // flipped
      head, // header only
    ];
    for (const b of bad) {
      await expect(run(createDecryptStream(key, 'obj'), b)).rejects.toMatchObject({
        code: 'integrity_error',
      });
    }
    await expect(run(createDecryptStream(key, 'other'), sealed)).rejects.toMatchObject({
      code: 'integrity_error',
    });
    await expect(run(createDecryptStream(Buffer.alloc(32, 8), 'obj'), sealed)).rejects.toThrow();
    expect(await buffer(Readable.from([]))).toHaveLength(0);
  });
});
