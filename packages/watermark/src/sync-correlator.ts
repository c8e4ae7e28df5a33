import FFT from 'fft.js';
import type { BlockLayout } from './layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';

/**
 * Scores every block phase φ at once: for folded values F[j][b] (j = frame mod BLOCK_FRAMES),
 * score(φ) = Σ_j Σ_b S[(j+φ) mod B][b] · F[j][b] and energy(φ) = Σ_j Σ_b |S|[(j+φ)][b] · F[j][b]²,
 * both as circular cross-correlations through FFTs of length BLOCK_FRAMES:
 * IDFT(conj(DFT(F_b)) · DFT(S_b)) summed over bands. z(φ) = score / √energy.
 */
export class SyncCorrelator {
  private readonly fft = new FFT(BLOCK_FRAMES);
  private readonly signSpectra: Float64Array[] = [];
  private readonly maskSpectra: Float64Array[] = [];
  private readonly column = new Float64Array(BLOCK_FRAMES);
  private readonly columnSpectrum = new Float64Array(2 * BLOCK_FRAMES);
  private readonly accScore = new Float64Array(2 * BLOCK_FRAMES);
  private readonly accEnergy = new Float64Array(2 * BLOCK_FRAMES);
  private readonly outScore = new Float64Array(2 * BLOCK_FRAMES);
  private readonly outEnergy = new Float64Array(2 * BLOCK_FRAMES);

  constructor(readonly layout: BlockLayout) {
    const col = new Float64Array(BLOCK_FRAMES);
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      for (let j = 0; j < BLOCK_FRAMES; j++)
        col[j] = layout.syncSign[j * BANDS_PER_FRAME + b] as number;
      const s = new Float64Array(2 * BLOCK_FRAMES);
      this.fft.realTransform(s, col);
      this.fft.completeSpectrum(s);
      this.signSpectra.push(s);
      for (let j = 0; j < BLOCK_FRAMES; j++) col[j] = Math.abs(col[j] as number);
      const m = new Float64Array(2 * BLOCK_FRAMES);
      this.fft.realTransform(m, col);
      this.fft.completeSpectrum(m);
      this.maskSpectra.push(m);
    }
  }

  /**
   * Best phase of folded values `folded` (BLOCK_FRAMES × bands). Writes z for every phase into
   * `zOut` when given. Returns the phase with the largest z and that z.
   */
  best(folded: Float32Array, zOut?: Float64Array): { phase: number; z: number } {
    const B = BLOCK_FRAMES;
    const acc = this.accScore;
    const accE = this.accEnergy;
    acc.fill(0);
    accE.fill(0);
    const col = this.column;
    const spec = this.columnSpectrum;
    for (let pass = 0; pass < 2; pass++) {
      const target = pass === 0 ? acc : accE;
      for (let b = 0; b < BANDS_PER_FRAME; b++) {
        let any = false;
        for (let j = 0; j < B; j++) {
          const v = folded[j * BANDS_PER_FRAME + b] as number;
          const x = pass === 0 ? v : v * v;
          col[j] = x;
          if (x !== 0) any = true;
        }
        if (!any) continue;
        this.fft.realTransform(spec, col);
        const ref = (pass === 0 ? this.signSpectra : this.maskSpectra)[b] as Float64Array;
        // conj(F)·S on bins 0..B/2; the rest follows from Hermitian symmetry.
        for (let k = 0; k <= B / 2; k++) {
          const fr = spec[2 * k] as number;
          const fi = spec[2 * k + 1] as number;
          const sr = ref[2 * k] as number;
          const si = ref[2 * k + 1] as number;
          target[2 * k] = (target[2 * k] as number) + fr * sr + fi * si;
          target[2 * k + 1] = (target[2 * k + 1] as number) + fr * si - fi * sr;
        }
      }
      this.fft.completeSpectrum(target);
    }
    this.fft.inverseTransform(this.outScore, acc);
    this.fft.inverseTransform(this.outEnergy, accE);
    let bestPhase = 0;
    let bestZ = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < B; p++) {
      const e = this.outEnergy[2 * p] as number;
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
