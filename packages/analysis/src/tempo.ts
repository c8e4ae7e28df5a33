import { type AudioInput, mixToMono } from './audio.js';
import { AnalysisError } from './errors.js';
import { onsetBands } from './onset.js';
import { analysisFactor, decimate } from './spectral.js';
import {
  candidateScore,
  crossCorrelate,
  LEVEL_WEIGHTS,
  maxLagFor,
  tempoCandidates,
} from './tempo-levels.js';

/** Result of {@link estimateTempo}. */
export interface TempoResult {
  /** Beats per minute, in [minBpm, maxBpm]. */
  bpm: number;
  /** 0..1: how much the chosen beat grid stands out from the off-beat lags. */
  confidence: number;
  /** True when the local tempo of several windows departs from `bpm` by more than 4 %. */
  variable: boolean;
  /** Local tempo per analysis window (10 s windows every 5 s), for files of 20 s and more. */
  segments: { start: number; bpm: number }[];
}

/** Arguments of {@link estimateTempo}. */
export interface EstimateTempoArgs {
  audio: AudioInput;
  /** Default 50. */
  minBpm?: number;
  /** Default 220. */
  maxBpm?: number;
}

/**
 * Onset autocorrelation of `values` at lags 0..maxLag into `out` (caller-owned, length
 * maxLag + 1), each lag's sum divided by its number of products.
 */
export function autocorrelate(out: Float64Array, x: Float32Array, maxLag: number): void {
  const n = x.length;
  for (let lag = 0; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += x[i]! * x[i - lag]!;
    out[lag] = s / (n - lag || 1);
  }
}

/**
 * The felt beat of an onset envelope: candidate periods from the beat-grid salience
 * ({@link tempoCandidates}), the one with the highest score under `weights` chosen
 * ({@link LEVEL_WEIGHTS}). Confidence is the chosen candidate's salience over the zero-lag
 * autocorrelation.
 */
export function decideTempo(
  values: Float32Array,
  low: Float32Array,
  mid: Float32Array,
  frameRate: number,
  minBpm: number,
  maxBpm: number,
  weights: readonly number[] = LEVEL_WEIGHTS,
): { bpm: number; confidence: number } {
  const maxLag = Math.min(maxLagFor(frameRate, minBpm), values.length - 1);
  const acf = new Float64Array(maxLagFor(frameRate, minBpm) + 1);
  autocorrelate(acf, values, maxLag);
  const backbeat = new Float64Array(Math.ceil((60 * frameRate) / minBpm) + 2);
  crossCorrelate(backbeat, low, mid, Math.min(backbeat.length - 1, values.length - 1));
  const zero = acf[0]! || 1;
  const candidates = tempoCandidates(acf, frameRate, minBpm, maxBpm, backbeat);
  let best = candidates[0];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    const score = candidateScore(c, weights);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  if (!best) return { bpm: minBpm, confidence: 0 };
  return {
    bpm: Math.round(best.bpm * 100) / 100,
    confidence: Math.max(0, Math.min(1, best.salience / zero)),
  };
}

/**
 * Estimates the tempo of a piece: onset envelopes (spectral flux at ~86 frames/s, full band,
 * low and mid bands), the autocorrelation's beat-grid salience, then the metrical level that
 * listeners tap among the salience's peaks ({@link decideTempo}). Also estimates 10 s windows to
 * flag material whose tempo varies.
 */
export function estimateTempo(args: EstimateTempoArgs): TempoResult {
  const minBpm = args.minBpm ?? 50;
  const maxBpm = args.maxBpm ?? 220;
  if (!(minBpm > 0 && maxBpm > minBpm)) {
    throw new AnalysisError('invalid_argument', 'need 0 < minBpm < maxBpm');
  }
  const factor = analysisFactor(args.audio.sampleRate);
  const rate = args.audio.sampleRate / factor;
  const mono = decimate(mixToMono(args.audio), factor);
  if (mono.length < rate * 2)
    throw new AnalysisError('too_short', 'tempo needs at least 2 s of audio');
  const env = onsetBands({ signal: mono, sampleRate: rate, frameSize: 1024, hop: 256 });
  const global = decideTempo(env.values, env.low, env.mid, env.frameRate, minBpm, maxBpm);
  const segments: { start: number; bpm: number }[] = [];
  const win = Math.round(10 * env.frameRate);
  const step = Math.round(5 * env.frameRate);
  if (env.values.length >= 2 * win) {
    for (let s = 0; s + win <= env.values.length; s += step) {
      const local = decideTempo(
        env.values.subarray(s, s + win),
        env.low.subarray(s, s + win),
        env.mid.subarray(s, s + win),
        env.frameRate,
        minBpm,
        maxBpm,
      );
      segments.push({ start: s / env.frameRate, bpm: local.bpm });
    }
  }
  // Octave-folded deviation: a window at double or half the global tempo is not a change.
  const off = segments.filter((seg) => {
    const r = seg.bpm / global.bpm;
    return [0.5, 1, 2].every((m) => Math.abs(r / m - 1) > 0.04);
  }).length;
  return { ...global, variable: segments.length > 0 && off / segments.length > 0.25, segments };
}
