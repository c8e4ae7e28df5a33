import { forEachMagnitudeFrame } from './spectral.js';

/** Gain inside the log compression of magnitudes (higher: quiet onsets count more). */
const COMPRESSION = 1000;

/** Arguments of {@link onsetEnvelope}. */
export interface OnsetEnvelopeArgs {
  /** Mono signal. */
  signal: Float32Array;
  sampleRate: number;
  /** STFT frame size (power of two). Default 1024. */
  frameSize?: number;
  /** Hop in samples. Default 256. */
  hop?: number;
}

/** An onset-strength curve and its frame rate. */
export interface OnsetEnvelope {
  values: Float32Array;
  /** Frames per second. */
  frameRate: number;
}

/** Full-band and low-band onset envelopes of one STFT pass ({@link onsetBands}). */
export interface OnsetBands extends OnsetEnvelope {
  /** The same flux over the bins below `lowHz` only (kick drum and bass). */
  low: Float32Array;
  /** The flux of the bins from 200 Hz to 2.5 kHz (snare drum body, chords). */
  mid: Float32Array;
}

/**
 * Onset strength by log-magnitude spectral flux: per frame, the sum over bins k of the half-wave
 * rectified increase of log(1 + 1000 |X|), weighted by 1/k so each octave weighs about the same
 * (broadband hi-hats would otherwise outvote kick and snare), with a 1 s moving mean removed (and rectified again) so
 * slow loudness changes do not read as onsets.
 */
export function onsetEnvelope(args: OnsetEnvelopeArgs): OnsetEnvelope {
  const { values, frameRate } = onsetBands(args);
  return { values, frameRate };
}

/**
 * {@link onsetEnvelope} and, from the same STFT frames, the flux of the bins below `lowHz`
 * (default 150 Hz): where kick drum and bass notes start, which mark the beat or the bar more
 * often than the subdivisions do.
 */
export function onsetBands(args: OnsetEnvelopeArgs & { lowHz?: number }): OnsetBands {
  const frameSize = args.frameSize ?? 1024;
  const hop = args.hop ?? 256;
  const bins = frameSize / 2 + 1;
  const prev = new Float32Array(bins);
  const frames = Math.max(1, Math.ceil(args.signal.length / hop));
  const flux = new Float32Array(frames);
  const lowFlux = new Float32Array(frames);
  const midFlux = new Float32Array(frames);
  const midLo = Math.round((200 / args.sampleRate) * frameSize);
  const midHi = Math.round((2500 / args.sampleRate) * frameSize);
  // Bins above ~11 kHz carry little rhythm and mostly noise.
  const top = Math.min(bins, Math.ceil((11000 / args.sampleRate) * frameSize));
  const lowTop = Math.max(2, Math.round(((args.lowHz ?? 150) / args.sampleRate) * frameSize));
  forEachMagnitudeFrame(args.signal, frameSize, hop, (mag, f) => {
    let s = 0;
    let low = 0;
    let mid = 0;
    for (let k = 1; k < top; k++) {
      const v = Math.log1p(COMPRESSION * mag[k]!);
      const d = v - prev[k]!;
      if (d > 0 && f > 0) {
        s += d / k;
        if (k < lowTop) low += d;
        else if (k >= midLo && k < midHi) mid += d;
      }
      prev[k] = v;
    }
    flux[f] = s;
    lowFlux[f] = low;
    midFlux[f] = mid;
  });
  const frameRate = args.sampleRate / hop;
  const w = Math.max(1, Math.round(frameRate));
  return {
    values: detrend(flux, w),
    low: detrend(lowFlux, w),
    mid: detrend(midFlux, w),
    frameRate,
  };
}

/** `x` minus its moving mean over ±w frames, half-wave rectified. */
function detrend(x: Float32Array, w: number): Float32Array {
  const frames = x.length;
  const prefix = new Float64Array(frames + 1);
  for (let i = 0; i < frames; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const values = new Float32Array(frames);
  for (let c = 0; c < frames; c++) {
    const lo = Math.max(0, c - w);
    const hi = Math.min(frames, c + w);
    const v = x[c]! - (prefix[hi]! - prefix[lo]!) / (hi - lo);
    values[c] = Math.max(v, 0);
  }
  return values;
}
