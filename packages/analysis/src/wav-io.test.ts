import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleFormat } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { readAudioBytes, readWav } from './wav-read.js';
import { collectStream, wavStreamFrom } from './wav-stream.js';
import { encodeWav } from './wav-write.js';

const formats: SampleFormat[] = [
  { encoding: 'pcm', bitsPerSample: 8 },
  { encoding: 'pcm', bitsPerSample: 16 },
  { encoding: 'pcm', bitsPerSample: 24 },
  { encoding: 'pcm', bitsPerSample: 32 },
  { encoding: 'float', bitsPerSample: 32 },
  { encoding: 'float', bitsPerSample: 64 },
];

/** Integer-valued samples on the format's grid, so the round trip must be exact. */
const gridAudio = (format: SampleFormat) =>
  fc
    .record({
      channels: fc.integer({ min: 1, max: 6 }),
      frames: fc.integer({ min: 0, max: 300 }),
      rate: fc.constantFrom(8000, 44100, 48000, 96000),
      seed: fc.integer(),
    })
    .map(({ channels, frames, rate, seed }) => {
      const bits = format.encoding === 'float' ? 24 : Math.min(format.bitsPerSample, 24);
      const scale = 2 ** (bits - 1);
      let s = seed | 1;
      const rnd = () => {
        s = (Math.imul(s, 1103515245) + 12345) | 0;
        return s >>> 8;
      };
      return {
        sampleRate: rate,
        channels: Array.from({ length: channels }, () => {
          const a = new Float32Array(frames);
          for (let i = 0; i < frames; i++) a[i] = ((rnd() % (2 * scale)) - scale) / scale;
          return a;
        }),
      };
    });

describe('WAV writer/reader round trip', () => {
  for (const format of formats) {
    it(`is exact for ${format.encoding} ${format.bitsPerSample}-bit`, () => {
      fc.assert(
        fc.property(gridAudio(format), (audio) => {
          const back = readWav(encodeWav(audio, format));
          expect(back.sampleRate).toBe(audio.sampleRate);
          expect(back.format).toEqual(format);
          expect(back.channels).toEqual(audio.channels);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('writes RF64 on request and reads it back', () => {
    const audio = { sampleRate: 48000, channels: [new Float32Array([0.5, -0.25, 0])] };
    const bytes = encodeWav(audio, { encoding: 'pcm', bitsPerSample: 16 }, { rf64: 'always' });
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RF64');
    expect(readWav(bytes).channels).toEqual(audio.channels);
  });

  it('clips out-of-range samples instead of wrapping', () => {
    const audio = { sampleRate: 8000, channels: [new Float32Array([1.5, -2, 1, Number.NaN])] };
    const back = readWav(encodeWav(audio)).channels[0]!;
    expect(Array.from(back)).toEqual([32767 / 32768, -1, 32767 / 32768, 0]);
  });

  it('TPDF dither is deterministic and stays within 2 LSB', () => {
    const x = new Float32Array(1000).map((_, i) => Math.sin(i / 10) * 0.3);
    const a = encodeWav({ sampleRate: 8000, channels: [x] }, undefined, { dither: 'tpdf' });
    const b = encodeWav({ sampleRate: 8000, channels: [x] }, undefined, { dither: 'tpdf' });
    expect(a).toEqual(b);
    const back = readWav(a).channels[0]!;
    for (let i = 0; i < x.length; i++) expect(Math.abs(back[i]! - x[i]!) * 32768).toBeLessThan(2);
  });
});

/** A hand-built canonical 44-byte PCM WAV (format tag 1), as most tools write it. */
function canonicalWav(samples: number[], channels = 1, rate = 8000): Uint8Array {
  const data = samples.length * 2;
  const b = new Uint8Array(44 + data);
  const v = new DataView(b.buffer);
  b.set(
    [...'RIFF'].map((c) => c.charCodeAt(0)),
    0,
  );
  v.setUint32(4, 36 + data, true);
  b.set(
    [...'WAVEfmt '].map((c) => c.charCodeAt(0)),
    8,
  );
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2 * channels, true);
  v.setUint16(32, 2 * channels, true);
  v.setUint16(34, 16, true);
  b.set(
    [...'data'].map((c) => c.charCodeAt(0)),
    36,
  );
  v.setUint32(40, data, true);
  for (const [i, s] of samples.entries()) v.setInt16(44 + 2 * i, s, true);
  return b;
}

describe('readWav', () => {
  it('reads a canonical PCM WAV from first principles', () => {
    const audio = readWav(canonicalWav([0, 16384, -32768, 32767, 1, -1], 2));
    expect(audio.channels.length).toBe(2);
    expect(Array.from(audio.channels[0]!)).toEqual([0, -1, 1 / 32768]);
    expect(Array.from(audio.channels[1]!)).toEqual([0.5, 32767 / 32768, -1 / 32768]);
  });

  it('rejects an empty file, a truncated file and a foreign file with stable codes', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AudioDecodeError ? e.code : 'other';
      }
      return 'none';
    };
    const full = canonicalWav([1, 2, 3, 4]);
    expect(code(() => readWav(new Uint8Array(0)))).toBe('empty_file');
    expect(code(() => readWav(full.subarray(0, 46)))).toBe('truncated_file');
    expect(code(() => readWav(full.subarray(0, 30)))).toBe('truncated_file');
    expect(code(() => readAudioBytes(new TextEncoder().encode('ID3 not a wave file')))).toBe(
      'unsupported_format',
    );
    expect(
      Array.from(readWav(full.subarray(0, 48), { allowTruncated: true }).channels[0]!),
    ).toEqual([1 / 32768, 2 / 32768]);
  });

  it('never throws anything but AudioDecodeError on arbitrary or damaged bytes', () => {
    const valid = encodeWav({ sampleRate: 8000, channels: [new Float32Array(20).fill(0.1)] });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .tuple(fc.nat(valid.length), fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }))
            .map(([cut, at, byte]) => {
              const b = valid.slice(0, cut);
              if (at < b.length) b[at] = byte;
              return b;
            }),
        ),
        (bytes) => {
          try {
            readWav(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(AudioDecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('streams a WAV delivered in arbitrary pieces exactly like the whole read', async () => {
    await fc.assert(
      fc.asyncProperty(
        gridAudio({ encoding: 'pcm', bitsPerSample: 24 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 50 }),
        async (audio, cuts, chunkFrames) => {
          const bytes = encodeWav(audio, { encoding: 'pcm', bitsPerSample: 24 });
          const pieces: Uint8Array[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = cuts[i % cuts.length]!;
            pieces.push(bytes.subarray(at, at + n));
            at += n;
          }
          const stream = await wavStreamFrom(
            (async function* () {
              yield* pieces;
            })(),
            { chunkFrames },
          );
          expect(stream.channelCount).toBe(audio.channels.length);
          expect(await collectStream(stream)).toEqual(audio.channels);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ends a stream of a truncated WAV with truncated_file after the frames that arrived', async () => {
    const bytes = canonicalWav([5, 6, 7, 8]).subarray(0, 48);
    const stream = await wavStreamFrom(
      (async function* () {
        yield bytes;
      })(),
    );
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const c of stream.chunks) seen.push(...Array.from(c[0]!).map((x) => x * 32768));
      })(),
    ).rejects.toMatchObject({ code: 'truncated_file' });
    expect(seen).toEqual([5, 6]);
  });
});
