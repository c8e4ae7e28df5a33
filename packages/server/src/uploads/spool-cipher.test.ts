import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spoolCipher, uploadSpoolKey } from './spool-cipher.js';

const through = (key: Uint8Array, data: Uint8Array, offset = 0) =>
  buffer(Readable.from([Buffer.from(data)]).pipe(spoolCipher(key, offset)));

describe('spoolCipher', () => {
  it('decrypts what it encrypted, and pieces written at any offset join up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.nat(400),
        async (data, cut) => {
          const key = randomBytes(32);
          const at = Math.min(cut, data.length);
          const whole = await through(key, data);
          const pieces = Buffer.concat([
            await through(key, data.subarray(0, at)),
            await through(key, data.subarray(at), at),
          ]);
          expect(pieces.equals(whole)).toBe(true);
          expect((await through(key, whole)).equals(Buffer.from(data))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves no plaintext: a WAV header does not survive', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(64, 7)]);
    const sealed = await through(randomBytes(32), wav);
    expect(sealed.includes(Buffer.from('RIFF'))).toBe(false);
    expect(sealed.includes(Buffer.from('WAVE'))).toBe(false);
  });

  it('derives a distinct key per upload id', () => {
    const secret = randomBytes(32);
    expect(uploadSpoolKey(secret, 'a').equals(uploadSpoolKey(secret, 'b'))).toBe(false);
    expect(uploadSpoolKey(secret, 'a').equals(uploadSpoolKey(secret, 'a'))).toBe(true);
  });
});
