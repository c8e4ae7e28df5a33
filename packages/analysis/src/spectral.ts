import FFT from 'fft.js';

/**
 * Averages blocks of `factor` samples (a box low-pass plus decimation): enough to bring 44.1/48 kHz
 * audio near 22 kHz for rhythm and pitch-class analysis, where content above 5 kHz barely matters.
 */
export function decimate(x: Float32Array, factor: number): Float32Array {
  if (factor <= 1) return x;
  const n = Math.floor(x.length / factor);
  const out = new Float32Array(n);
  const inv = 1 / factor;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * factor;
    for (let j = 0; j < factor; j++) s += x[base + j]!;
    out[i] = s * inv;
  }
  return out;
}

/** Decimation factor bringing `sampleRate` to about 22.05 kHz (never below). */
export function analysisFactor(sampleRate: number): number {
  return Math.max(1, Math.floor(sampleRate / 22050));
}

/** Hann window of length n (periodic). */
export function hann(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * Runs a Hann-windowed STFT over `x` and hands each frame's magnitude spectrum (bins 0..n/2) to
 * `visit`. The magnitude array is reused between calls (caller must copy what it keeps); frames
 * are centred on `i * hop` with zero padding at the ends.
 */
export function forEachMagnitudeFrame(
  x: Float32Array,
  frameSize: number,
  hop: number,
  visit: (magnitude: Float32Array, frame: number) => void,
): number {
  const fft = new FFT(frameSize);
  const window = hann(frameSize);
  const input = new Float64Array(frameSize);
  const out = fft.createComplexArray() as unknown as number[];
  const mag = new Float32Array(frameSize / 2 + 1);
  const frames = Math.max(1, Math.ceil(x.length / hop));
  const half = frameSize / 2;
  for (let f = 0; f < frames; f++) {
    const start = f * hop - half;
    for (let i = 0; i < frameSize; i++) {
      const j = start + i;
      input[i] = j >= 0 && j < x.length ? x[j]! * window[i]! : 0;
    }
    fft.realTransform(out, input);
    for (let k = 0; k <= half; k++) {
      const re = out[2 * k]!;
      const im = out[2 * k + 1]!;
      mag[k] = Math.sqrt(re * re + im * im);
    }
    visit(mag, f);
  }
  return frames;
}
