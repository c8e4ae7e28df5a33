import FFT from 'fft.js';
import type { BlockLayout } from './block-layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES, SYNC_BANDS_PER_FRAME } from './params.js';

/**
 * Scores every block phase φ at once: for folded values F[j][b] (j = frame mod BLOCK_FRAMES),
 * score(φ) = Σ_j Σ_b S[(j+φ) mod B][b] · F[j][b] as a circular cross-correlation through FFTs of
 * length BLOCK_FRAMES: IDFT(conj(DFT(F_b)) · DFT(S_b)) summed over bands.
 */
export class SyncCorrelator {
  private readonly fft = new FFT(BLOCK_FRAMES);
  private readonly signSpectra: Float64Array[] = [];
  private readonly column = new Float64Array(BLOCK_FRAMES);
  private readonly columnSpectrum = new Float64Array(2 * BLOCK_FRAMES);
  private readonly accScore = new Float64Array(2 * BLOCK_FRAMES);
  private readonly outScore = new Float64Array(2 * BLOCK_FRAMES);

  constructor(readonly layout: BlockLayout) {
    const col = new Float64Array(BLOCK_FRAMES);
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      for (let j = 0; j < BLOCK_FRAMES; j++)
        col[j] = layout.syncSign[j * BANDS_PER_FRAME + b] as number;
      const s = new Float64Array(2 * BLOCK_FRAMES);
      this.fft.realTransform(s, col);
      this.fft.completeSpectrum(s);
      this.signSpectra.push(s);
    }
  }

  /**
   * Best phase of folded values `folded` (BLOCK_FRAMES × bands). Writes z for every phase into
   * `zOut` when given. Returns the phase with the largest z and that z.
   */
  best(folded: Float32Array, zOut?: Float64Array): { phase: number; z: number } {
    const B = BLOCK_FRAMES;
    const acc = this.accScore;
    acc.fill(0);
    const col = this.column;
    const spec = this.columnSpectrum;
    // Score by FFT correlation. The normalizer √energy(φ) is approximated by its average over
    // phases, (sync cells per frame / bands) · Σ F²: F is normalized per band and frame, so the
    // exact value varies little with φ. This z only ranks candidates; every reported statistic is
    // recomputed exactly.
    let total = 0;
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      let any = false;
      for (let j = 0; j < B; j++) {
        const v = folded[j * BANDS_PER_FRAME + b] as number;
        col[j] = v;
        total += v * v;
        if (v !== 0) any = true;
      }
      if (!any) continue;
      this.fft.realTransform(spec, col);
      const ref = this.signSpectra[b] as Float64Array;
      // conj(F)·S on bins 0..B/2; the rest follows from Hermitian symmetry.
      for (let k = 0; k <= B / 2; k++) {
        const fr = spec[2 * k] as number;
        const fi = spec[2 * k + 1] as number;
        const sr = ref[2 * k] as number;
        const si = ref[2 * k + 1] as number;
        acc[2 * k] = (acc[2 * k] as number) + fr * sr + fi * si;
        acc[2 * k + 1] = (acc[2 * k + 1] as number) + fr * si - fi * sr;
      }
    }
    this.fft.completeSpectrum(acc);
    this.fft.inverseTransform(this.outScore, acc);
    const e = (total * SYNC_BANDS_PER_FRAME) / BANDS_PER_FRAME;
    let bestPhase = 0;
    let bestZ = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < B; p++) {
      const z = e > 1e-20 ? (this.outScore[2 * p] as number) / Math.sqrt(e) : 0;
      if (zOut) zOut[p] = z;
      if (z > bestZ) {
        bestZ = z;
        bestPhase = p;
      }
    }
    return { phase: bestPhase, z: bestZ };
  }
}
