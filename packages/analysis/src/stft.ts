import FFT from 'fft.js';

/** A complex STFT: `frames * bins` values per part, frame-major. */
export interface Stft {
  frames: number;
  bins: number;
  re: Float32Array;
  im: Float32Array;
}

/** Square-root periodic Hann: used for analysis and synthesis, it sums to one at 50 % overlap. */
function sqrtHann(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  return w;
}

/**
 * Forward STFT with a sqrt-Hann window at 50 % overlap; frame f covers samples
 * [(f - 1) * hop, (f - 1) * hop + size), so every sample is covered by two frames.
 */
export function forwardStft(x: Float32Array, size: number): Stft {
  const hop = size / 2;
  const bins = hop + 1;
  const frames = Math.ceil(x.length / hop) + 1;
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  const fft = new FFT(size);
  const w = sqrtHann(size);
  const input = new Float64Array(size);
  const out = fft.createComplexArray() as unknown as number[];
  for (let f = 0; f < frames; f++) {
    const start = (f - 1) * hop;
    for (let i = 0; i < size; i++) {
      const j = start + i;
      input[i] = j >= 0 && j < x.length ? x[j]! * w[i]! : 0;
    }
    fft.realTransform(out, input);
    for (let k = 0; k < bins; k++) {
      re[f * bins + k] = out[2 * k]!;
      im[f * bins + k] = out[2 * k + 1]!;
    }
  }
  return { frames, bins, re, im };
}

/** Inverse of {@link forwardStft} (overlap-add), writing `out.length` samples into `out`. */
export function inverseStft(out: Float32Array, spec: Stft, size: number): void {
  const hop = size / 2;
  const fft = new FFT(size);
  const w = sqrtHann(size);
  const full = fft.createComplexArray() as unknown as number[];
  const time = fft.createComplexArray() as unknown as number[];
  out.fill(0);
  for (let f = 0; f < spec.frames; f++) {
    for (let k = 0; k < spec.bins; k++) {
      full[2 * k] = spec.re[f * spec.bins + k]!;
      full[2 * k + 1] = spec.im[f * spec.bins + k]!;
    }
    // Hermitian mirror of the upper half.
    for (let k = spec.bins; k < size; k++) {
      full[2 * k] = full[2 * (size - k)]!;
      full[2 * k + 1] = -full[2 * (size - k) + 1]!;
    }
    fft.inverseTransform(time, full);
    const start = (f - 1) * hop;
    for (let i = 0; i < size; i++) {
      const j = start + i;
      if (j >= 0 && j < out.length) out[j] = out[j]! + time[2 * i]! * w[i]!;
    }
  }
}
