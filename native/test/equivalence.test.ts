import { describe, expect, it } from 'vitest';
import { BandAnalyzer } from '../../packages/watermark/src/band-analysis.js';
import { availableBackends, withBackend } from '../../packages/watermark/src/implementation.js';
import { detect, embed } from '../../packages/watermark/src/index.js';
import { blockLayout } from '../../packages/watermark/src/layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from '../../packages/watermark/src/params.js';
import {
  caseAudio,
  decision,
  loadVectors,
  pcm16Sha256,
  vectorInput,
  vectorKey,
} from '../../packages/watermark/test/vectors.js';

// The native and TypeScript paths on the same vectors, in one process. Tolerances: embedded
// samples within `embedToleranceLsb16` (1 LSB at 16-bit, 2^-15); detection decisions identical;
// statistics equal to float precision.
const both = availableBackends();
const ts = both.ts;
const native = both.native!;
const { embedToleranceLsb16, vectors } = loadVectors();
const lsb = 1 / 32768;

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((ch, c) => {
    const other = b[c] as Float32Array;
    for (let i = 0; i < ch.length; i++)
      m = Math.max(m, Math.abs((ch[i] as number) - (other[i] as number)));
  });
  return m;
}

describe('native vs TypeScript on the shared test vectors', { timeout: 180_000 }, () => {
  it('the native module loads', () => {
    expect(native?.name).toBe('native');
  });

  it('derives the same keyed layout, bit for bit', () => {
    const secrets = [
      new Uint8Array(16).fill(7),
      Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255),
      Uint8Array.from({ length: 100 }, (_, i) => (i * 101) & 255),
    ];
    for (const secret of secrets) {
      for (const bits of [32, 64, 128]) {
        expect(native.deriveLayout(secret, bits)).toEqual(ts.deriveLayout(secret, bits));
      }
    }
  });

  for (const v of vectors) {
    const input = vectorInput(v);
    const opts = { key: vectorKey(v.key), payload: v.payload, strength: v.strength };
    const markedTs = withBackend(ts, () => embed(input, opts));
    const markedNative = withBackend(native, () => embed(input, opts));

    it(`${v.name}: embedded samples agree within ${embedToleranceLsb16} LSB at 16-bit`, () => {
      expect(pcm16Sha256(markedTs.channels)).toBe(v.embeddedSha256);
      const d = maxDiff(markedTs.channels, markedNative.channels);
      expect(d).toBeLessThanOrEqual(embedToleranceLsb16 * lsb);
      // In practice the paths differ by float rounding only.
      expect(d).toBeLessThan(1e-5);
    });

    for (const c of v.cases) {
      it(`${v.name}: ${c.name}: identical decisions and statistics`, () => {
        const run = (b: typeof ts) =>
          withBackend(b, () =>
            detect(caseAudio(c, input, markedTs), {
              keys: c.keys.map(vectorKey),
              payloadBits: c.payloadBits,
            }),
          );
        const a = run(ts);
        const n = run(native);
        expect(decision(a)).toEqual(c.expect);
        expect(decision(n)).toEqual(c.expect);
        expect(n.hypotheses).toBe(a.hypotheses);
        expect(n.bestSyncZ).toBeCloseTo(a.bestSyncZ, 3);
        n.matches.forEach((m, i) => {
          const t = a.matches[i]!;
          expect(m.zSync).toBeCloseTo(t.zSync, 3);
          expect(m.tTotal).toBeCloseTo(t.tTotal, 3);
          expect(m.speed).toBeCloseTo(t.speed, 6);
          expect(m.offsetSeconds).toBeCloseTo(t.offsetSeconds, 6);
          expect(m.bitErrors).toBe(t.bitErrors);
        });
      });
    }
  }
});

describe('native kernels vs TypeScript kernels', () => {
  const v = vectors[0]!;
  const input = vectorInput(v);
  const analyzer = new BandAnalyzer(input.sampleRate);
  const signal = input.channels[0]!.subarray(0, 5 * input.sampleRate);

  it('dense spectrogram: same rows, power within single-precision rounding', () => {
    const a = ts.analysis(analyzer).spectrogram(signal);
    const b = native.analysis(analyzer).spectrogram(signal);
    expect(b.rows).toBe(a.rows);
    let peak = 0;
    for (const x of a.power) peak = Math.max(peak, x);
    let worst = 0;
    for (let i = 0; i < a.power.length; i++) {
      const d = Math.abs((b.power[i] as number) - (a.power[i] as number));
      // The native spectrogram's transforms run in single precision: errors of ~1e-7 of the
      // frame's largest bin (in power, relative to the peak) and ~1e-5 of each bin's own power.
      worst = Math.max(worst, d / (1e-7 * peak + 1e-4 * (a.power[i] as number)));
    }
    expect(worst).toBeLessThan(1);
  });

  it('a released kernel frees its cache and folds the same values again', () => {
    const kernel = native.analysis(analyzer);
    const spec = kernel.spectrogram(signal);
    const grid = { origin: 0, step: analyzer.frameLength, phase: 0 };
    const map = analyzer.bandMap(1);
    const first = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
    const again = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
    kernel.fold(signal, spec, grid, 0, 200, map, false, first);
    kernel.release();
    kernel.fold(signal, spec, grid, 0, 200, map, false, again);
    expect(again).toEqual(first);
    kernel.release();
    kernel.release();
  });

  it('sync correlation and Viterbi decoding: same phase and bits', () => {
    const layout = blockLayout(vectorKey(v.key), 128);
    const folded = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
    let s = 12345;
    for (let i = 0; i < folded.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      folded[i] =
        s / 2 ** 32 -
        0.5 +
        0.3 * (layout.syncSign[((Math.floor(i / 52) + 100) % 1024) * 52 + (i % 52)] as number);
    }
    const a = ts.syncScorer(layout).best(folded);
    const b = native.syncScorer(layout).best(folded);
    expect(b.phase).toBe(a.phase);
    expect(b.z).toBeCloseTo(a.z, 9);
    const soft = Float64Array.from(
      { length: layout.codedLength },
      (_, i) => Math.sin(i * 1.7) + 0.2,
    );
    expect(native.viterbi(soft, layout.infoLength)).toEqual(ts.viterbi(soft, layout.infoLength));
  });
});
