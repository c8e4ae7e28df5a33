/**
 * Calibration of the sync statistic on unmarked audio: for one fixed grid (no speed change,
 * offset 0) every block phase is a separate hypothesis; z(φ) = Σ S·F / √(Σ |S|·F²) with the exact
 * normalizer. Under the null hypothesis each z(φ) obeys the Hoeffding tail P(z ≥ x) ≤ exp(−x²/2)
 * (and, by the central limit theorem, is close to a standard normal). Uses package internals.
 */
import { BandAnalyzer } from '../../packages/watermark/src/band-analysis.js';
import { activeBackend } from '../../packages/watermark/src/implementation.js';
import type { WatermarkKey } from '../../packages/watermark/src/key.js';
import { blockLayout } from '../../packages/watermark/src/layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from '../../packages/watermark/src/params.js';
import { syncScorerFor } from '../../packages/watermark/src/sync-scorers.js';
import { WindowSearcher } from '../../packages/watermark/src/window-search.js';

/** z of every block phase of a mono signal for `key`, at the unscaled grid with offset 0. */
export function phaseStatistics(mono: Float32Array, key: WatermarkKey): Float64Array {
  const analyzer = new BandAnalyzer(44100);
  const backend = activeBackend();
  const kernel = backend.analysis(analyzer);
  const layout = blockLayout(key, 128);
  const searcher = new WindowSearcher(
    { signal: mono, analyzer, kernel, spec: kernel.spectrogram(mono) },
    layout,
    syncScorerFor(backend, layout),
  );
  // Fold once with phase 0, then evaluate every phase exactly.
  const grid = {
    origin: 0,
    step: analyzer.frameLength,
    phase: 0,
    hyp: { timeScale: 1, freqScale: 1, kind: 'none' as const, step: 0.001 },
  };
  const internal = searcher as unknown as {
    range(g: typeof grid): [number, number];
    foldGrid(g: typeof grid, from: number, to: number, exact: boolean): void;
    folded: Float32Array;
  };
  const [from, to] = internal.range(grid);
  internal.foldGrid(grid, from, to, false);
  // The native kernel's cached band powers are not seen by the garbage collector: free them now.
  kernel.release();
  const f = internal.folded;
  const out = new Float64Array(BLOCK_FRAMES);
  for (let phase = 0; phase < BLOCK_FRAMES; phase++) {
    let score = 0;
    let energy = 0;
    for (let j = 0; j < BLOCK_FRAMES; j++) {
      const row = ((j + phase) % BLOCK_FRAMES) * BANDS_PER_FRAME;
      for (let b = 0; b < BANDS_PER_FRAME; b++) {
        const s = layout.syncSign[row + b] as number;
        if (s === 0) continue;
        const v = f[j * BANDS_PER_FRAME + b] as number;
        score += s * v;
        energy += v * v;
      }
    }
    out[phase] = energy > 0 ? score / Math.sqrt(energy) : 0;
  }
  return out;
}
