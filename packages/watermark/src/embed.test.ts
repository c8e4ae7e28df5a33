import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticMusic, testKey } from '../test/signals.js';
import { createEmbedder, embed, embedContext } from './embed.js';
import { WatermarkError } from './errors.js';
import { frameStart } from './grid.js';

const key = testKey('alice', 11);
const payload = '0123456789abcdef0123456789abcdef';

function concat(parts: Float32Array[][], nch: number): Float32Array[] {
  return Array.from({ length: nch }, (_, c) => {
    const len = parts.reduce((s, p) => s + (p[c] as Float32Array).length, 0);
    const out = new Float32Array(len);
    let o = 0;
    for (const p of parts) {
      out.set(p[c] as Float32Array, o);
      o += (p[c] as Float32Array).length;
    }
    return out;
  });
}

describe('embed', () => {
  it('keeps rate, channel count and length, and changes the signal only slightly', () => {
    const audio = syntheticMusic({ seconds: 3, seed: 2, channels: 3, sampleRate: 48000 });
    const out = embed(audio, { key, payload });
    expect(out.sampleRate).toBe(48000);
    expect(out.channels.length).toBe(3);
    expect(out.channels[0]?.length).toBe(audio.channels[0]?.length);
    expect(out.channels[0]).not.toEqual(audio.channels[0]);
    expect(audio.channels[0]).toEqual(
      syntheticMusic({ seconds: 3, seed: 2, channels: 3, sampleRate: 48000 }).channels[0],
    );
  });

  it('never pushes a sample outside [−1, 1]', () => {
    const audio = syntheticMusic({ seconds: 2, seed: 4, channels: 1 });
    const ch = audio.channels[0] as Float32Array;
    for (let i = 0; i < ch.length; i++) ch[i] = Math.max(-1, Math.min(1, (ch[i] as number) * 3));
    const out = embed(audio, { key, payload, strength: 40 });
    let peak = 0;
    for (const v of out.channels[0] as Float32Array) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThanOrEqual(1);
  });

  it('works at the extreme rates and channel counts', () => {
    for (const [rate, nch] of [
      [8000, 1],
      [192000, 8],
    ] as const) {
      const audio = syntheticMusic({ seconds: 0.5, seed: 1, channels: nch, sampleRate: rate });
      expect(embed(audio, { key, payload }).channels.length).toBe(nch);
    }
  });

  it('rejects bad payloads, strengths and formats with typed errors', () => {
    const audio = syntheticMusic({ seconds: 0.2, seed: 1, channels: 1 });
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as WatermarkError).code;
      }
      return undefined;
    };
    expect(codeOf(() => embed(audio, { key, payload: 'abc' }))).toBe('invalid_payload');
    expect(codeOf(() => embed(audio, { key, payload: '0011' }))).toBe('invalid_payload');
    expect(codeOf(() => embed(audio, { key, payload, strength: 0 }))).toBe('invalid_option');
    expect(
      codeOf(() => embed({ sampleRate: 4000, channels: audio.channels }, { key, payload })),
    ).toBe('unsupported_format');
    expect(
      codeOf(() =>
        embed({ sampleRate: 44100, channels: Array(9).fill(audio.channels[0]) }, { key, payload }),
      ),
    ).toBe('unsupported_format');
  });
});

describe('createEmbedder', () => {
  const rates = [44100, 48000, 22050];
  const audios = new Map(
    rates.map((r) => [r, syntheticMusic({ seconds: 1.5, seed: 8, sampleRate: r })]),
  );
  const whole = new Map(rates.map((r) => [r, embed(audios.get(r)!, { key, payload })]));

  it('equals the whole-file embed on any range, for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rates),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }),
        (rate, u, v, chunkSizes) => {
          const audio = audios.get(rate)!;
          const ref = whole.get(rate)!;
          const len = (audio.channels[0] as Float32Array).length;
          const a = Math.floor(Math.min(u, v) * len);
          const b = Math.max(a + 1, Math.floor(Math.max(u, v) * len));
          const ctx = embedContext(rate, a, b);
          const end = Math.min(len, ctx.end);
          const emb = createEmbedder({
            key,
            payload,
            sampleRate: rate,
            channels: 2,
            startSample: ctx.start,
          });
          const parts: Float32Array[][] = [];
          let pos = ctx.start;
          let i = 0;
          while (pos < end) {
            const n = Math.min(chunkSizes[i++ % chunkSizes.length] as number, end - pos);
            parts.push(emb.push(audio.channels.map((ch) => ch.subarray(pos, pos + n))));
            pos += n;
          }
          parts.push(emb.flush());
          const out = concat(parts, 2);
          expect(out[0]?.length).toBe(end - ctx.start);
          for (let c = 0; c < 2; c++) {
            const got = (out[c] as Float32Array).subarray(
              a - ctx.start,
              Math.min(b, end) - ctx.start,
            );
            const want = (ref.channels[c] as Float32Array).subarray(a, Math.min(b, end));
            expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reuses its output arrays on request and still equals the whole-file embed', () => {
    const audio = audios.get(44100)!;
    const ref = whole.get(44100)!;
    const len = (audio.channels[0] as Float32Array).length;
    const emb = createEmbedder({ key, payload, sampleRate: 44100, channels: 2, reuseOutput: true });
    const parts: Float32Array[][] = [];
    let previous: ArrayBufferLike | undefined;
    let reused = 0;
    for (let pos = 0; pos < len; pos += 5000) {
      const out = emb.push(audio.channels.map((ch) => ch.subarray(pos, pos + 5000)));
      if (out[0]!.buffer === previous) reused++;
      previous = out[0]!.buffer;
      // Copied before the next push: the arrays belong to the embedder.
      parts.push(out.map((ch) => ch.slice()));
    }
    parts.push(emb.flush());
    expect(reused).toBeGreaterThan(5);
    const out = concat(parts, 2);
    for (let c = 0; c < 2; c++) expect(out[c]).toEqual(ref.channels[c]);
  });

  it('passes through a lead-in before the first frame boundary and keeps latency under a frame', () => {
    const audio = audios.get(48000)!;
    const start = frameStart(3, 48000) + 17;
    const emb = createEmbedder({
      key,
      payload,
      sampleRate: 48000,
      channels: 2,
      startSample: start,
    });
    const first = emb.push(audio.channels.map((ch) => ch.subarray(start, start + 5000)));
    expect(first[0]?.length).toBeGreaterThan(5000 - 1116);
    expect(first[0]?.subarray(0, frameStart(4, 48000) - start)).toEqual(
      audio.channels[0]?.subarray(start, frameStart(4, 48000)),
    );
    expect(() => {
      emb.flush();
      emb.push(audio.channels);
    }).toThrow(WatermarkError);
  });
});
