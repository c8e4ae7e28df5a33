import FFT from 'fft.js';
import { bandRanges, fftSizeFor, frameStart, nominalFrameLength } from './grid.js';
import {
  BAND_GAIN_CAP,
  BAND_GAIN_SHAPE,
  BANDS_PER_FRAME,
  BLOCK_FRAMES,
  MAX_BAND_GAIN,
  MAX_BAND_GAIN_RATIO,
} from './params.js';

/**
 * Adds the watermark to one frame at a time. For frame f with keyed band signs s_b (±1) and
 * strength δ, the frame x (length L) is windowed with a sine window w, transformed with a
 * zero-padded FFT of size M ≥ 2L, every fine bin k of band b is scaled by s_b·δ, the result is
 * transformed back, windowed with w again and added to x: d = w · IFFT(δ·s·FFT(w·x)).
 * Every band's magnitude thus moves by the factor (1 ± δ) in the frame centre, tapering to zero at
 * the frame edges (no discontinuity between frames). All buffers are allocated once.
 */
export class FrameEmbedder {
  private readonly fft: FFT;
  private readonly size: number;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly input: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly shaped: Float64Array;
  private readonly timeOut: Float64Array;
  private readonly windows = new Map<number, Float64Array>();
  private readonly gains = new Float64Array(BANDS_PER_FRAME);
  private readonly energy = new Float64Array(BANDS_PER_FRAME);

  constructor(
    private readonly sampleRate: number,
    private readonly signs: Int8Array,
    private readonly delta: number,
  ) {
    this.size = fftSizeFor(sampleRate);
    this.fft = new FFT(this.size);
    const ranges = bandRanges(sampleRate, this.size);
    this.lo = ranges.lo;
    this.hi = ranges.hi;
    this.input = new Float64Array(this.size);
    this.spectrum = new Float64Array(2 * this.size);
    this.shaped = new Float64Array(2 * this.size);
    this.timeOut = new Float64Array(2 * this.size);
    const l = Math.floor(nominalFrameLength(sampleRate));
    this.window(l);
    this.window(l + 1);
  }

  /** Sine window of length `length` (cached: a frame has one of two lengths at any rate). */
  private window(length: number): Float64Array {
    let w = this.windows.get(length);
    if (!w) {
      w = new Float64Array(length);
      for (let n = 0; n < length; n++) w[n] = Math.sin((Math.PI * (n + 0.5)) / length);
      this.windows.set(length, w);
    }
    return w;
  }

  /**
   * Per-band relative gain δ_b. Detection information grows with Σ δ_b² while the SNR cost grows
   * with Σ δ_b² E_b (E_b = band energy), so quieter bands get a larger relative change:
   * δ_b ∝ (E_b / Ē)^(−SHAPE) (Ē = geometric mean), then scaled so the frame's mark energy equals
   * that of a uniform δ, and capped at min(MAX_BAND_GAIN, MAX_BAND_GAIN_RATIO·δ).
   */
  private bandGains(spec: Float64Array): Float64Array {
    const gains = this.gains;
    const energy = this.energy;
    let logSum = 0;
    let count = 0;
    let total = 0;
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      let e = 0;
      const hi = this.hi[b] as number;
      for (let k = this.lo[b] as number; k < hi; k++) {
        e += (spec[2 * k] as number) ** 2 + (spec[2 * k + 1] as number) ** 2;
      }
      energy[b] = e;
      total += e;
      if (e > 0) {
        logSum += Math.log(e);
        count++;
      }
    }
    if (count === 0 || total <= 0) {
      gains.fill(this.delta);
      return gains;
    }
    const mean = Math.exp(logSum / count);
    let weighted = 0;
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      const e = energy[b] as number;
      const f = e > 0 ? Math.min(BAND_GAIN_CAP, (e / mean) ** -BAND_GAIN_SHAPE) : 0;
      gains[b] = f;
      weighted += f * f * e;
    }
    const scale = this.delta * Math.sqrt(total / weighted);
    const cap = Math.min(MAX_BAND_GAIN, MAX_BAND_GAIN_RATIO * this.delta);
    for (let b = 0; b < BANDS_PER_FRAME; b++)
      gains[b] = Math.min(cap, (gains[b] as number) * scale);
    return gains;
  }

  /**
   * Marks in place every complete frame of `samples`, whose first sample is the first sample of
   * frame `firstFrame`; returns how many samples those frames cover.
   */
  processRun(firstFrame: number, samples: Float32Array): number {
    const base = frameStart(firstFrame, this.sampleRate);
    let f = firstFrame;
    for (;;) {
      const s = frameStart(f, this.sampleRate) - base;
      const e = frameStart(f + 1, this.sampleRate) - base;
      if (e > samples.length) return s;
      const view = samples.subarray(s, e);
      this.process(f, view, view);
      f++;
    }
  }

  /** {@link processRun} on each of `channels` (equal lengths); returns the samples covered. */
  processChannels(firstFrame: number, channels: Float32Array[]): number {
    let covered = 0;
    for (const ch of channels) covered = this.processRun(firstFrame, ch);
    return covered;
  }

  /** Frame f spans [frameStart(f), frameStart(f+1)) at this rate. */
  frameBounds(f: number): [number, number] {
    return [frameStart(f, this.sampleRate), frameStart(f + 1, this.sampleRate)];
  }

  /**
   * Writes frame `f` of `input` (a channel view covering exactly the frame) plus the watermark into
   * `output` (same length; may be the same array), clamping so that no sample that was inside
   * [−1, 1] leaves it.
   */
  process(f: number, input: Float32Array, output: Float32Array): void {
    const length = input.length;
    const w = this.window(length);
    const x = this.input;
    for (let n = 0; n < length; n++) x[n] = (input[n] as number) * (w[n] as number);
    x.fill(0, length);
    this.fft.realTransform(this.spectrum, x);
    const shaped = this.shaped;
    shaped.fill(0);
    const cell = (((f % BLOCK_FRAMES) + BLOCK_FRAMES) % BLOCK_FRAMES) * BANDS_PER_FRAME;
    const spec = this.spectrum;
    const gains = this.bandGains(spec);
    for (let b = 0; b < BANDS_PER_FRAME; b++) {
      // Factor 2: only positive frequencies are filled; the real part of the inverse transform
      // then equals the inverse of the Hermitian-symmetric spectrum.
      const g = 2 * (gains[b] as number) * (this.signs[cell + b] as number);
      const hi = this.hi[b] as number;
      for (let k = this.lo[b] as number; k < hi; k++) {
        shaped[2 * k] = g * (spec[2 * k] as number);
        shaped[2 * k + 1] = g * (spec[2 * k + 1] as number);
      }
    }
    this.fft.inverseTransform(this.timeOut, shaped);
    const t = this.timeOut;
    for (let n = 0; n < length; n++) {
      const v = input[n] as number;
      let y = v + (t[2 * n] as number) * (w[n] as number);
      if (v <= 1 && v >= -1) {
        if (y > 1) y = 1;
        else if (y < -1) y = -1;
      } else {
        y = v;
      }
      output[n] = y;
    }
  }
}
