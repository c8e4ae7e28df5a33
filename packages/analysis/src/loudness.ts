import type { AudioInput } from './audio.js';
import { AnalysisError } from './errors.js';

/** Result of {@link measureLoudness}. Silence gives `-Infinity` values. */
export interface LoudnessResult {
  /** Gated integrated loudness, LUFS (ITU-R BS.1770-4). */
  integratedLufs: number;
  /** Loudness range, LU (EBU Tech 3342): 10th to 95th percentile of gated short-term loudness. */
  loudnessRangeLu: number;
  /** Highest momentary (400 ms) loudness, LUFS. */
  momentaryMaxLufs: number;
  /** Highest short-term (3 s) loudness, LUFS. */
  shortTermMaxLufs: number;
  /** Maximum true peak over all channels, dBTP (4x oversampled below 96 kHz, 2x below 192 kHz). */
  truePeakDbtp: number;
  /** Maximum absolute sample value, dBFS. */
  samplePeakDbfs: number;
}

/** Arguments of {@link measureLoudness}. */
export interface MeasureLoudnessArgs {
  audio: AudioInput;
  /**
   * Per-channel weights G_i. Default: 1 for every channel, except 6-channel audio (5.1 in
   * L R C LFE Ls Rs order), where LFE is 0 and the surrounds 1.41 as BS.1770-4 specifies.
   */
  channelWeights?: readonly number[];
}

/**
 * Biquad coefficients of the two K-weighting stages for a sample rate, from the analog prototypes
 * behind the 48 kHz coefficients of BS.1770-4 Table 1/2 (high shelf +4 dB at ~1.68 kHz, then a
 * ~38 Hz high pass), bilinear-transformed so other rates get the same response.
 */
export function kWeightingCoefficients(sampleRate: number): { b: number[]; a: number[] }[] {
  const shelf = (() => {
    const f0 = 1681.974450955533;
    const gainDb = 3.999843853973347;
    const q = 0.7071752369554196;
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const vh = 10 ** (gainDb / 20);
    const vb = vh ** 0.4996667741545416;
    const a0 = 1 + k / q + k * k;
    return {
      b: [
        (vh + (vb * k) / q + k * k) / a0,
        (2 * (k * k - vh)) / a0,
        (vh - (vb * k) / q + k * k) / a0,
      ],
      a: [1, (2 * (k * k - 1)) / a0, (1 - k / q + k * k) / a0],
    };
  })();
  const highPass = (() => {
    const f0 = 38.13547087602444;
    const q = 0.5003270373238773;
    const k = Math.tan((Math.PI * f0) / sampleRate);
    const a0 = 1 + k / q + k * k;
    return { b: [1, -2, 1], a: [1, (2 * (k * k - 1)) / a0, (1 - k / q + k * k) / a0] };
  })();
  return [shelf, highPass];
}

/**
 * Adds the K-weighted energy of `x` (which starts at absolute sample index `offset`) into the
 * 100 ms `steps` (caller-owned; samples past its end are dropped), multiplied by `weight`.
 * `state` (6 values, caller-owned) carries both biquads' memory across chunks; `coeffs` come from
 * {@link kWeightingCoefficients}. Direct form I, both stages in one pass, no allocation.
 */
export function accumulateKWeightedEnergy(
  steps: Float64Array,
  state: Float64Array,
  x: Float32Array,
  offset: number,
  stepSamples: number,
  coeffs: { b: number[]; a: number[] }[],
  weight: number,
): void {
  const [s1, s2] = coeffs as [{ b: number[]; a: number[] }, { b: number[]; a: number[] }];
  const [b10, b11, b12] = s1.b as [number, number, number];
  const [, a11, a12] = s1.a as [number, number, number];
  const [, a21, a22] = s2.a as [number, number, number];
  let x1 = state[0]!;
  let x2 = state[1]!;
  let y1 = state[2]!;
  let y2 = state[3]!;
  let z1 = state[4]!;
  let z2 = state[5]!;
  const limit = steps.length * stepSamples;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = b10 * xi + b11 * x1 + b12 * x2 - a11 * y1 - a12 * y2;
    x2 = x1;
    x1 = xi;
    const z = y - 2 * y1 + y2 - a21 * z1 - a22 * z2;
    y2 = y1;
    y1 = y;
    z2 = z1;
    z1 = z;
    const n = offset + i;
    if (n < limit) {
      const s = (n / stepSamples) | 0;
      steps[s] = steps[s]! + weight * z * z;
    }
  }
  state.set([x1, x2, y1, y2, z1, z2]);
}

const lufs = (meanPower: number) => -0.691 + 10 * Math.log10(meanPower);

/** Loudness of windows of `width` steps, hopping one step; mean power per window. */
function windows(steps: Float64Array, width: number, stepSamples: number): Float64Array {
  const count = steps.length - width + 1;
  if (count <= 0) return new Float64Array(0);
  const out = new Float64Array(count);
  let acc = 0;
  for (let i = 0; i < steps.length; i++) {
    acc += steps[i]!;
    if (i >= width) acc -= steps[i - width]!;
    if (i >= width - 1) out[i - width + 1] = acc / (width * stepSamples);
  }
  return out;
}

function defaultWeights(n: number): number[] {
  if (n === 6) return [1, 1, 1, 0, 1.41, 1.41];
  return new Array(n).fill(1);
}

/** Incremental loudness measurement over streamed chunks (bounded memory: 8 bytes per 100 ms). */
export interface LoudnessMeter {
  push(channels: readonly Float32Array[]): void;
  finish(): LoudnessResult;
}

/**
 * Starts a BS.1770-4 / EBU R128 measurement: K-weighting, 400 ms blocks with 75 % overlap gated at
 * -70 LUFS and then -10 LU relative (integrated); 3 s short-term windows every 100 ms gated at
 * -70 LUFS and -20 LU relative for the loudness range; true peak by windowed-sinc oversampling.
 */
export function createLoudnessMeter(spec: {
  sampleRate: number;
  channelCount: number;
  channelWeights?: readonly number[];
}): LoudnessMeter {
  const nch = spec.channelCount;
  if (nch < 1) throw new AnalysisError('invalid_argument', 'audio has no channels');
  const weights = spec.channelWeights ?? defaultWeights(nch);
  const sr = spec.sampleRate;
  const step = Math.round(sr / 10);
  const coeffs = kWeightingCoefficients(sr);
  const states = Array.from({ length: nch }, () => new Float64Array(6));
  const peaks = Array.from({ length: nch }, () => createTruePeakScanner(sr));
  let steps = new Float64Array(600);
  let frames = 0;
  return {
    push(channels) {
      if (channels.length !== nch) throw new AnalysisError('invalid_argument', 'channel mismatch');
      const n = channels[0]?.length ?? 0;
      const needed = Math.ceil((frames + n) / step);
      if (needed > steps.length) {
        const bigger = new Float64Array(Math.max(needed, steps.length * 2));
        bigger.set(steps);
        steps = bigger;
      }
      for (let c = 0; c < nch; c++) {
        const w = weights[c] ?? 1;
        if (w !== 0)
          accumulateKWeightedEnergy(steps, states[c]!, channels[c]!, frames, step, coeffs, w);
        peaks[c]!.push(channels[c]!);
      }
      frames += n;
    },
    finish() {
      const complete = steps.subarray(0, Math.floor(frames / step));
      const blocks = windows(complete, 4, step);
      const shortTerm = windows(complete, 30, step);
      let momentaryMaxLufs = Number.NEGATIVE_INFINITY;
      for (const p of blocks) momentaryMaxLufs = Math.max(momentaryMaxLufs, lufs(p));
      let shortTermMaxLufs = Number.NEGATIVE_INFINITY;
      for (const p of shortTerm) shortTermMaxLufs = Math.max(shortTermMaxLufs, lufs(p));
      let truePeak = 0;
      let samplePeak = 0;
      for (const p of peaks) {
        const r = p.finish();
        truePeak = Math.max(truePeak, r.truePeak);
        samplePeak = Math.max(samplePeak, r.samplePeak);
      }
      return {
        integratedLufs: gatedMean(blocks, -10),
        loudnessRangeLu: loudnessRange(shortTerm),
        momentaryMaxLufs,
        shortTermMaxLufs,
        truePeakDbtp: 20 * Math.log10(truePeak),
        samplePeakDbfs: 20 * Math.log10(samplePeak),
      };
    },
  };
}

/** Measures the loudness of in-memory audio (see {@link createLoudnessMeter}). */
export function measureLoudness(args: MeasureLoudnessArgs): LoudnessResult {
  const meter = createLoudnessMeter({
    sampleRate: args.audio.sampleRate,
    channelCount: args.audio.channels.length,
    channelWeights: args.channelWeights,
  });
  meter.push(args.audio.channels);
  return meter.finish();
}

/** Mean power of the blocks above -70 LUFS and above (that mean + relativeLu), as LUFS. */
function gatedMean(blocks: Float64Array, relativeLu: number): number {
  const absPower = 10 ** ((-70 + 0.691) / 10);
  let sum = 0;
  let n = 0;
  for (const p of blocks) {
    if (p > absPower) {
      sum += p;
      n++;
    }
  }
  if (n === 0) return Number.NEGATIVE_INFINITY;
  const relPower = (sum / n) * 10 ** (relativeLu / 10);
  sum = 0;
  n = 0;
  for (const p of blocks) {
    if (p > absPower && p > relPower) {
      sum += p;
      n++;
    }
  }
  return n === 0 ? Number.NEGATIVE_INFINITY : lufs(sum / n);
}

function loudnessRange(shortTerm: Float64Array): number {
  const absPower = 10 ** ((-70 + 0.691) / 10);
  const above = Array.from(shortTerm).filter((p) => p > absPower);
  if (above.length === 0) return 0;
  const mean = above.reduce((a, b) => a + b, 0) / above.length;
  const rel = mean * 10 ** (-20 / 10);
  const gated = above
    .filter((p) => p > rel)
    .map(lufs)
    .sort((a, b) => a - b);
  if (gated.length === 0) return 0;
  const pct = (q: number) => gated[Math.min(gated.length - 1, Math.round(q * (gated.length - 1)))]!;
  return pct(0.95) - pct(0.1);
}

/** Half-length (taps each side) of the interpolation kernel. */
const TP_TAPS = 12;
const tpKernels = new Map<number, Float64Array>();

/** Windowed-sinc fractional-delay kernels, one per oversampling phase (phase 0 excluded). */
function kernels(factor: number): Float64Array {
  let k = tpKernels.get(factor);
  if (k) return k;
  k = new Float64Array((factor - 1) * 2 * TP_TAPS);
  for (let p = 1; p < factor; p++) {
    const frac = p / factor;
    for (let j = 0; j < 2 * TP_TAPS; j++) {
      const t = j - TP_TAPS + 1 - frac; // position of x[n + j - TP_TAPS + 1] relative to n + frac
      const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
      const win = 0.5 + 0.5 * Math.cos((Math.PI * t) / (TP_TAPS + 0.5));
      k[(p - 1) * 2 * TP_TAPS + j] = sinc * win;
    }
  }
  tpKernels.set(factor, k);
  return k;
}

const factorFor = (sampleRate: number) => (sampleRate >= 192000 ? 1 : sampleRate >= 96000 ? 2 : 4);

/**
 * Evaluates the interpolated values between x[n] and x[n + 1] for n in [from, to), reading x as
 * zero outside its bounds; returns the largest magnitude.
 */
function scanInterpolated(
  x: Float32Array,
  from: number,
  to: number,
  factor: number,
  floor: number,
): number {
  const k = kernels(factor);
  const len = 2 * TP_TAPS;
  const gain = kernelGain(factor);
  // Maxima of |x| over blocks of 8 samples: an interpolated value cannot exceed the kernel's L1
  // norm times the largest sample under it, so windows that cannot beat `floor` are skipped.
  const blocks = new Float32Array(Math.ceil(x.length / 8));
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > blocks[i >> 3]!) blocks[i >> 3] = a;
  }
  let peak = floor;
  for (let n = from; n < to; n++) {
    const start = n - TP_TAPS + 1;
    let local = 0;
    const b1 = Math.min(blocks.length - 1, (start + len - 1) >> 3);
    for (let b = Math.max(0, start >> 3); b <= b1; b++) local = Math.max(local, blocks[b]!);
    if (local * gain <= peak) continue;
    const inside = start >= 0 && start + len <= x.length;
    for (let p = 0; p < factor - 1; p++) {
      let acc = 0;
      const base = p * len;
      if (inside) {
        for (let j = 0; j < len; j++) acc += x[start + j]! * k[base + j]!;
      } else {
        for (let j = 0; j < len; j++) {
          const idx = start + j;
          if (idx >= 0 && idx < x.length) acc += x[idx]! * k[base + j]!;
        }
      }
      const a = Math.abs(acc);
      if (a > peak) peak = a;
    }
  }
  return peak;
}

/** Largest L1 norm over the phase kernels (bounds the interpolated value by the local maximum). */
function kernelGain(factor: number): number {
  const k = kernels(factor);
  const len = 2 * TP_TAPS;
  let g = 0;
  for (let p = 0; p < factor - 1; p++) {
    let s = 0;
    for (let j = 0; j < len; j++) s += Math.abs(k[p * len + j]!);
    g = Math.max(g, s);
  }
  return g;
}

/** Streams true-peak detection, keeping only the kernel's context between chunks. */
function createTruePeakScanner(sampleRate: number) {
  const factor = factorFor(sampleRate);
  let tail = new Float32Array(0);
  // Index in `tail` of the first position whose interpolated values are not computed yet.
  let pending = 0;
  let truePeak = 0;
  let samplePeak = 0;
  return {
    push(x: Float32Array) {
      for (let i = 0; i < x.length; i++) samplePeak = Math.max(samplePeak, Math.abs(x[i]!));
      if (factor === 1) return;
      const buf = new Float32Array(tail.length + x.length);
      buf.set(tail);
      buf.set(x, tail.length);
      // A position n needs samples up to n + TP_TAPS: later ones wait for the next chunk.
      const end = Math.max(pending, buf.length - TP_TAPS);
      truePeak = scanInterpolated(buf, pending, end, factor, Math.max(truePeak, samplePeak));
      const cut = Math.max(0, end - TP_TAPS + 1);
      tail = buf.slice(cut);
      pending = end - cut;
    },
    finish() {
      if (factor > 1) {
        const end = Math.max(pending, tail.length - 1);
        truePeak = scanInterpolated(tail, pending, end, factor, Math.max(truePeak, samplePeak));
      }
      return { truePeak: Math.max(truePeak, samplePeak), samplePeak };
    },
  };
}

/** Largest absolute value of `x` oversampled 4x (2x from 96 kHz, none from 192 kHz). */
export function truePeakOf(x: Float32Array, sampleRate: number): number {
  const scanner = createTruePeakScanner(sampleRate);
  scanner.push(x);
  return scanner.finish().truePeak;
}
