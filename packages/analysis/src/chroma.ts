import { forEachMagnitudeFrame } from './spectral.js';

/** Arguments of {@link chromaProfile}. */
export interface ChromaArgs {
  /** Mono signal. */
  signal: Float32Array;
  sampleRate: number;
  /** STFT frame size (power of two); default 8192 (2.7 Hz bins at 22.05 kHz). */
  frameSize?: number;
  /** Lowest and highest frequencies mapped to pitch classes (Hz); default 55 and 4000. */
  minHz?: number;
  maxHz?: number;
}

/**
 * Plain long-term pitch-class profile (the key estimator's default is the peak-based
 * `hpcpProfile`; this one is its `profile: 'chroma'`): every STFT bin between minHz and maxHz
 * adds its magnitude to the pitch class of its frequency (A4 = 440 Hz, equal temperament;
 * index 0 = C). Each frame is normalized first so loud passages do not dominate. Returns 12
 * values summing to 1 (all zero for silence).
 */
export function chromaProfile(args: ChromaArgs): Float64Array {
  const frameSize = args.frameSize ?? 8192;
  const hop = frameSize / 2;
  const minHz = args.minHz ?? 55;
  const maxHz = args.maxHz ?? 4000;
  const bins = frameSize / 2 + 1;
  const pc = new Int8Array(bins).fill(-1);
  for (let k = 1; k < bins; k++) {
    const f = (k * args.sampleRate) / frameSize;
    if (f < minHz || f > maxHz) continue;
    const midi = 69 + 12 * Math.log2(f / 440);
    pc[k] = ((Math.round(midi) % 12) + 12) % 12;
  }
  const total = new Float64Array(12);
  const frame = new Float64Array(12);
  forEachMagnitudeFrame(args.signal, frameSize, hop, (mag) => {
    frame.fill(0);
    let sum = 0;
    for (let k = 1; k < bins; k++) {
      const c = pc[k]!;
      if (c < 0) continue;
      const v = mag[k]!;
      frame[c] = frame[c]! + v;
      sum += v;
    }
    if (sum <= 1e-9) return;
    for (let c = 0; c < 12; c++) total[c] = total[c]! + frame[c]! / sum;
  });
  const s = total.reduce((a, b) => a + b, 0);
  if (s > 0) for (let c = 0; c < 12; c++) total[c] = total[c]! / s;
  return total;
}
