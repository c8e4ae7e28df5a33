import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAiff } from './aiff-read.js';
import { AudioDecodeError } from './errors.js';

/** A hand-assembled 16-bit AIFF (big-endian, 80-bit extended sample rate) from the format spec. */
function aiff(samples: number[], channels: number, rate: number): Uint8Array {
  const data = samples.length * 2;
  const b = new Uint8Array(12 + 26 + 16 + data);
  const v = new DataView(b.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) b[at + i] = s.charCodeAt(i);
  };
  put(0, 'FORM');
  v.setUint32(4, b.length - 8);
  put(8, 'AIFF');
  put(12, 'COMM');
  v.setUint32(16, 18);
  v.setUint16(20, channels);
  v.setUint32(22, samples.length / channels);
  v.setUint16(26, 16);
  // 80-bit extended: exponent 16383 + e, 64-bit mantissa with explicit integer bit.
  const e = Math.floor(Math.log2(rate));
  v.setUint16(28, 16383 + e);
  v.setUint32(30, (rate / 2 ** e) * 2 ** 31);
  v.setUint32(34, 0);
  put(38, 'SSND');
  v.setUint32(42, 8 + data);
  for (const [i, s] of samples.entries()) v.setInt16(54 + 2 * i, s);
  return b;
}

describe('readAiff', () => {
  it('reads a hand-built AIFF', () => {
    const audio = readAiff(aiff([0, 16384, -32768, 32767], 2, 44100));
    expect(audio.sampleRate).toBe(44100);
    expect(Array.from(audio.channels[0]!)).toEqual([0, -1]);
    expect(Array.from(audio.channels[1]!)).toEqual([0.5, 32767 / 32768]);
  });

  it('reports a short sound chunk as truncated_file', () => {
    const full = aiff([1, 2, 3, 4], 1, 8000);
    expect(() => readAiff(full.subarray(0, full.length - 2))).toThrow(
      expect.objectContaining({ code: 'truncated_file' }),
    );
  });

  it('never throws anything but AudioDecodeError on damaged files', () => {
    const valid = aiff([5, -5, 7, -7, 9, -9], 2, 48000);
    fc.assert(
      fc.property(
        fc.nat(valid.length),
        fc.nat(valid.length - 1),
        fc.integer({ min: 0, max: 255 }),
        (cut, at, byte) => {
          const b = valid.slice(0, cut);
          if (at < b.length) b[at] = byte;
          try {
            readAiff(b);
          } catch (e) {
            expect(e).toBeInstanceOf(AudioDecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
