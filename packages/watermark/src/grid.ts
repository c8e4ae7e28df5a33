import { WatermarkError } from './errors.js';
import {
  BAND_BINS,
  BANDS_PER_FRAME,
  BIN_HZ,
  FIRST_BIN,
  FRAME_SIZE,
  REFERENCE_RATE,
} from './params.js';

/** Lowest and highest supported sample rates (Hz). */
export const MIN_RATE = 8000;
export const MAX_RATE = 192_000;
/** Largest supported channel count. */
export const MAX_CHANNELS = 8;

/** Throws `unsupported_format` unless the rate and channel count are supported. */
export function checkFormat(sampleRate: number, channels: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new WatermarkError(
      'unsupported_format',
      `sample rate must be an integer from ${MIN_RATE} to ${MAX_RATE} Hz, got ${sampleRate}`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new WatermarkError(
      'unsupported_format',
      `channel count must be 1 to ${MAX_CHANNELS}, got ${channels}`,
    );
  }
}

/**
 * First sample of frame `f` at `sampleRate`: round(f · FRAME_SIZE · rate / REFERENCE_RATE), in exact
 * integer arithmetic (products stay below 2^53 for any file shorter than 10^5 hours).
 */
export function frameStart(f: number, sampleRate: number): number {
  return Math.floor((f * FRAME_SIZE * sampleRate + REFERENCE_RATE / 2) / REFERENCE_RATE);
}

/** Index of the frame that contains sample `s`. */
export function frameOf(s: number, sampleRate: number): number {
  let f = Math.floor((s * REFERENCE_RATE) / (FRAME_SIZE * sampleRate));
  while (frameStart(f + 1, sampleRate) <= s) f++;
  while (frameStart(f, sampleRate) > s) f--;
  return f;
}

/** Nominal frame length at `sampleRate` (samples, fractional). */
export function nominalFrameLength(sampleRate: number): number {
  return (FRAME_SIZE * sampleRate) / REFERENCE_RATE;
}

/** FFT size used for a frame at `sampleRate`: the power of two ≥ 2 × frame length (zero padding). */
export function fftSizeFor(sampleRate: number): number {
  const need = 2 * Math.ceil(nominalFrameLength(sampleRate)) + 2;
  let m = 2;
  while (m < need) m <<= 1;
  return m;
}

/**
 * Fine-bin ranges of every band for an FFT of size `fftSize` at `sampleRate`, with band frequencies
 * scaled by `freqScale` (1 = as embedded; ≠ 1 when the audio was sped up or slowed down). Band b
 * covers reference bins [FIRST_BIN + 4b, FIRST_BIN + 4b + 4), i.e. frequencies
 * [(FIRST_BIN + 4b − ½)·BIN_HZ, (FIRST_BIN + 4b + 3.5)·BIN_HZ); a fine bin belongs to the band that
 * contains its centre. Returns `lo[b]..hi[b]` (hi exclusive); bands above Nyquist are empty.
 */
export function bandRanges(
  sampleRate: number,
  fftSize: number,
  freqScale = 1,
): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(BANDS_PER_FRAME);
  const hi = new Int32Array(BANDS_PER_FRAME);
  const hzPerFine = sampleRate / fftSize;
  const maxFine = fftSize / 2 - 1;
  for (let b = 0; b < BANDS_PER_FRAME; b++) {
    const f0 = (FIRST_BIN + b * BAND_BINS - 0.5) * BIN_HZ * freqScale;
    const f1 = (FIRST_BIN + (b + 1) * BAND_BINS - 0.5) * BIN_HZ * freqScale;
    const l = Math.min(maxFine + 1, Math.ceil(f0 / hzPerFine));
    const h = Math.min(maxFine + 1, Math.ceil(f1 / hzPerFine));
    lo[b] = l;
    hi[b] = Math.max(l, h);
  }
  return { lo, hi };
}
