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

/**
 * Onset strength by log-magnitude spectral flux: per frame, the sum over bins k of the half-wave
 * rectified increase of log(1 + 1000 |X|), weighted by 1/k so each octave weighs about the same
 * (broadband hi-hats would otherwise outvote kick and snare), with a 1 s moving mean removed (and rectified again) so
 * slow loudness changes do not read as onsets.
 */
export function onsetEnvelope(args: OnsetEnvelopeArgs): OnsetEnvelope {
  const frameSize = args.frameSize ?? 1024;
  const hop = args.hop ?? 256;
  const bins = frameSize / 2 + 1;
  const prev = new Float32Array(bins);
  const frames = Math.max(1, Math.ceil(args.signal.length / hop));
  const flux = new Float32Array(frames);
  // Bins above ~11 kHz carry little rhythm and mostly noise.
  const top = Math.min(bins, Math.ceil((11000 / args.sampleRate) * frameSize));
  forEachMagnitudeFrame(args.signal, frameSize, hop, (mag, f) => {
    let s = 0;
    for (let k = 1; k < top; k++) {
      const v = Math.log1p(COMPRESSION * mag[k]!);
      const d = v - prev[k]!;
      if (d > 0 && f > 0) s += d / k;
      prev[k] = v;
    }
    flux[f] = s;
  });
  const frameRate = args.sampleRate / hop;
  const w = Math.max(1, Math.round(frameRate));
  const prefix = new Float64Array(frames + 1);
  for (let i = 0; i < frames; i++) prefix[i + 1] = prefix[i]! + flux[i]!;
  const values = new Float32Array(frames);
  for (let c = 0; c < frames; c++) {
    const lo = Math.max(0, c - w);
    const hi = Math.min(frames, c + w);
    const v = flux[c]! - (prefix[hi]! - prefix[lo]!) / (hi - lo);
    values[c] = Math.max(v, 0);
  }
  return { values, frameRate };
}
