import type { FrameGrid, Spectrogram } from './backend.js';
import {
  type BandAnalyzer,
  type BandMap,
  bandLogPower,
  toDetectionValues,
} from './band-analysis.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';

/**
 * Folds detection values of a frame grid by block frame (the TypeScript reference of
 * `AnalysisKernel.fold`). Buffers grow on demand and are then reused.
 */
export class GridFolder {
  private values = new Float32Array(0);
  private scratch = new Float32Array(0);
  private valid = new Uint8Array(0);
  private readonly rowPower: Float32Array;

  constructor(private readonly analyzer: BandAnalyzer) {
    this.rowPower = new Float32Array(analyzer.binCount);
  }

  fold(
    signal: Float32Array,
    spec: Spectrogram,
    grid: FrameGrid,
    from: number,
    to: number,
    map: BandMap,
    exact: boolean,
    folded: Float32Array,
  ): void {
    const analyzer = this.analyzer;
    const n = Math.max(0, to - from);
    const nb = BANDS_PER_FRAME;
    if (this.values.length < n * nb) {
      this.values = new Float32Array(n * nb);
      this.scratch = new Float32Array(n * nb);
      this.valid = new Uint8Array(n);
    }
    const vals = this.values;
    for (let i = 0; i < n; i++) {
      const pos = grid.origin + (from + i) * grid.step;
      if (exact) {
        const start = Math.round(pos);
        const ok = start >= 0 && start + analyzer.windowLength <= signal.length;
        this.valid[i] = ok ? 1 : 0;
        if (ok) {
          analyzer.framePower(signal, start, this.rowPower, 0);
          bandLogPower(this.rowPower, 0, map, vals, i * nb);
        }
      } else {
        const row = Math.round(pos / analyzer.hop);
        const ok = row >= 0 && row < spec.rows;
        this.valid[i] = ok ? 1 : 0;
        if (ok) bandLogPower(spec.power, row * analyzer.binCount, map, vals, i * nb);
      }
    }
    toDetectionValues(vals, n, this.valid, this.scratch);
    folded.fill(0);
    for (let i = 0; i < n; i++) {
      if (!this.valid[i]) continue;
      const blockFrame = (((from + i + grid.phase) % BLOCK_FRAMES) + BLOCK_FRAMES) % BLOCK_FRAMES;
      const o = blockFrame * nb;
      for (let b = 0; b < nb; b++)
        folded[o + b] = (folded[o + b] as number) + (vals[i * nb + b] as number);
    }
  }
}
