import FFT from 'fft.js';
import { bandRanges, fftSizeFor, nominalFrameLength } from './grid.js';
import {
  BANDS_PER_FRAME,
  DETECT_VALUE_CLIP,
  FAR_SPEED_DEVIATION,
  POWER_FLOOR,
  SEARCH_HOP_FRACTION,
} from './params.js';

/** Band fine-bin ranges relative to the analyzer's first stored fine bin. */
export interface BandMap {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

/**
 * Power spectra of a mono signal on a dense grid (hop = ¼ frame), restricted to the fine bins that
 * any searched speed can map a band to, plus exact single-frame spectra at arbitrary positions.
 * Hann analysis window of one nominal frame, zero-padded FFT of the embedder's size.
 */
export class BandAnalyzer {
  readonly frameLength: number;
  readonly windowLength: number;
  readonly hop: number;
  readonly fftSize: number;
  readonly firstBin: number;
  readonly binCount: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly input: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly maps = new Map<number, BandMap>();

  constructor(readonly sampleRate: number) {
    this.frameLength = nominalFrameLength(sampleRate);
    this.windowLength = Math.round(this.frameLength);
    this.hop = Math.max(1, Math.round(this.frameLength * SEARCH_HOP_FRACTION));
    this.fftSize = fftSizeFor(sampleRate);
    this.fft = new FFT(this.fftSize);
    this.window = new Float64Array(this.windowLength);
    for (let n = 0; n < this.windowLength; n++) {
      this.window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / this.windowLength);
    }
    this.input = new Float64Array(this.fftSize);
    this.spectrum = new Float64Array(2 * this.fftSize);
    // Every frequency scale any stage searches (speed changes are the widest) plus refinement.
    const low = bandRanges(sampleRate, this.fftSize, 1 - 1.1 * FAR_SPEED_DEVIATION);
    const high = bandRanges(sampleRate, this.fftSize, 1 + 1.1 * FAR_SPEED_DEVIATION);
    this.firstBin = low.lo[0] as number;
    this.binCount = Math.max(1, (high.hi[BANDS_PER_FRAME - 1] as number) - this.firstBin);
  }

  /** Band ranges (relative to `firstBin`) for band frequencies scaled by `freqScale`. */
  bandMap(freqScale: number): BandMap {
    const id = Math.round(freqScale * 1e6);
    let map = this.maps.get(id);
    if (!map) {
      const r = bandRanges(this.sampleRate, this.fftSize, freqScale);
      const lo = new Int32Array(BANDS_PER_FRAME);
      const hi = new Int32Array(BANDS_PER_FRAME);
      for (let b = 0; b < BANDS_PER_FRAME; b++) {
        lo[b] = Math.max(0, Math.min(this.binCount, (r.lo[b] as number) - this.firstBin));
        hi[b] = Math.max(
          lo[b] as number,
          Math.min(this.binCount, (r.hi[b] as number) - this.firstBin),
        );
      }
      map = { lo, hi };
      this.maps.set(id, map);
    }
    return map;
  }

  /** Writes the power of the stored fine bins of the frame starting at `start` into `out`. */
  framePower(signal: Float32Array, start: number, out: Float32Array, outOffset: number): void {
    const x = this.input;
    const w = this.window;
    const len = this.windowLength;
    for (let n = 0; n < len; n++) {
      const i = start + n;
      x[n] = i >= 0 && i < signal.length ? (signal[i] as number) * (w[n] as number) : 0;
    }
    x.fill(0, len);
    this.fft.realTransform(this.spectrum, x);
    const s = this.spectrum;
    const first = this.firstBin;
    for (let k = 0; k < this.binCount; k++) {
      const re = s[2 * (first + k)] as number;
      const im = s[2 * (first + k) + 1] as number;
      out[outOffset + k] = re * re + im * im;
    }
  }

  /** Rows of the dense spectrogram of `length` samples. */
  rows(length: number): number {
    return Math.max(0, Math.floor((length - this.windowLength) / this.hop) + 1);
  }

  /** Dense spectrogram of `signal` with hop {@link hop}: row i starts at sample i·hop. */
  spectrogram(signal: Float32Array): { rows: number; power: Float32Array } {
    const rows = this.rows(signal.length);
    const power = new Float32Array(rows * this.binCount);
    this.spectrogramRows(signal, power, 0);
    return { rows, power };
  }

  /**
   * Rows `firstRow`.. of the dense spectrogram of `signal` into `power` (rows × bins); the rows
   * before `firstRow` are left as they are (carried over from an overlapping window).
   */
  spectrogramRows(signal: Float32Array, power: Float32Array, firstRow: number): number {
    const rows = this.rows(signal.length);
    if (power.length !== rows * this.binCount) {
      throw new RangeError(`power must hold ${rows} rows of ${this.binCount} bins`);
    }
    for (let i = Math.max(0, firstRow); i < rows; i++)
      this.framePower(signal, i * this.hop, power, i * this.binCount);
    return rows;
  }
}

/**
 * Converts per-frame band powers into detection values, in place on `values` (rows × bands):
 * v = ln(band power) minus the frame's mean over bands (removes loudness), then a temporal
 * high-pass v'[j] = v[j] − ½(v[j−1] + v[j+1]) that removes stationary spectral shape (tones held
 * across frames) while keeping the frame-to-frame independent keyed pattern. Rows flagged in
 * `valid` = 0 are zeroed and act as gaps.
 */
export function toDetectionValues(
  values: Float32Array,
  rows: number,
  valid: Uint8Array,
  scratch: Float32Array,
): void {
  const nb = BANDS_PER_FRAME;
  for (let j = 0; j < rows; j++) {
    if (!valid[j]) {
      values.fill(0, j * nb, (j + 1) * nb);
      continue;
    }
    let mean = 0;
    for (let b = 0; b < nb; b++) mean += values[j * nb + b] as number;
    mean /= nb;
    for (let b = 0; b < nb; b++) values[j * nb + b] = (values[j * nb + b] as number) - mean;
  }
  scratch.set(values.subarray(0, rows * nb));
  for (let j = 0; j < rows; j++) {
    if (!valid[j]) continue;
    const prev = j > 0 && valid[j - 1];
    const next = j + 1 < rows && valid[j + 1];
    for (let b = 0; b < nb; b++) {
      const c = scratch[j * nb + b] as number;
      let ref = 0;
      if (prev && next)
        ref = 0.5 * ((scratch[(j - 1) * nb + b] as number) + (scratch[(j + 1) * nb + b] as number));
      else if (prev) ref = scratch[(j - 1) * nb + b] as number;
      else if (next) ref = scratch[(j + 1) * nb + b] as number;
      values[j * nb + b] = c - ref;
    }
  }
  // Equalize bands: divide each band by its RMS over the rows, so that bands where the music
  // fluctuates strongly (or a codec added much noise) weigh less in every sum that follows.
  for (let b = 0; b < nb; b++) {
    let e = 0;
    let n = 0;
    for (let j = 0; j < rows; j++) {
      if (!valid[j]) continue;
      const v = values[j * nb + b] as number;
      e += v * v;
      n++;
    }
    if (n === 0 || e <= 0) continue;
    const g = 1 / Math.sqrt(e / n);
    for (let j = 0; j < rows; j++) values[j * nb + b] = (values[j * nb + b] as number) * g;
  }
  // Then frames: transients and level jumps make whole frames noisy; weigh them down likewise.
  for (let j = 0; j < rows; j++) {
    if (!valid[j]) continue;
    let e = 0;
    for (let b = 0; b < nb; b++) e += (values[j * nb + b] as number) ** 2;
    if (e <= 0) continue;
    const g = 1 / Math.sqrt(e / nb);
    for (let b = 0; b < nb; b++) {
      // Limit outliers (heavy tails of log power): a robust, sign-independent weighting.
      const v = (values[j * nb + b] as number) * g;
      values[j * nb + b] = Math.min(DETECT_VALUE_CLIP, Math.max(-DETECT_VALUE_CLIP, v));
    }
  }
}

/** ln(Σ power over each band + floor) of one stored spectrum row into `out[offset..offset+bands)`. */
export function bandLogPower(
  power: Float32Array,
  rowOffset: number,
  map: BandMap,
  out: Float32Array,
  offset: number,
): void {
  for (let b = 0; b < BANDS_PER_FRAME; b++) {
    let sum = POWER_FLOOR;
    const hi = map.hi[b] as number;
    for (let k = map.lo[b] as number; k < hi; k++) sum += power[rowOffset + k] as number;
    out[offset + b] = Math.log(sum);
  }
}
