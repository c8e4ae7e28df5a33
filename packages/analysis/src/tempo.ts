import { type AudioInput, mixToMono } from './audio.js';
import { AnalysisError } from './errors.js';
import { onsetEnvelope } from './onset.js';
import { analysisFactor, decimate } from './spectral.js';

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
  /** Default 60. */
  minBpm?: number;
  /** Default 200. */
  maxBpm?: number;
}

/** Centre of the log-normal tempo preference (BPM); listeners favour beats near 100-120 BPM. */
const PRIOR_CENTER_BPM = 115;
/** Width of the tempo preference in octaves (one standard deviation). */
const PRIOR_WIDTH_OCTAVES = 1;

/** Weight of the off-grid lags subtracted from the on-grid lags. */
const OFFBEAT_PENALTY = 0.3;

/** Autocorrelation of `x` for lags 0..maxLag into `out` (caller-owned, length maxLag + 1). */
export function autocorrelate(out: Float64Array, x: Float32Array, maxLag: number): void {
  const n = x.length;
  for (let lag = 0; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += x[i]! * x[i - lag]!;
    out[lag] = s / (n - lag || 1);
  }
}

const at = (acf: Float64Array, lag: number) => {
  const i = Math.floor(lag);
  const f = lag - i;
  if (i + 1 >= acf.length) return 0;
  return acf[i]! * (1 - f) + acf[i + 1]! * f;
};

/**
 * Scores every tempo from minBpm to maxBpm in 0.05 BPM steps by beat-grid contrast on the onset
 * autocorrelation: the mean at lags P, 2P, 3P, 4P minus the larger of the means at the half-period
 * off-beat lags (P/2, 3P/2, ...) and at the third-period lags (P/3 or 2P/3, ...). A metrical level
 * two or three times too slow has strong off-grid lags (the real beats), and a level too fast has
 * weak on-grid lags, so the contrast peaks at the beat itself.
 */
function bestTempo(
  values: Float32Array,
  frameRate: number,
  minBpm: number,
  maxBpm: number,
): { bpm: number; confidence: number } {
  const maxLag = Math.ceil((4 * 60 * frameRate) / minBpm) + 2;
  const acf = new Float64Array(maxLag + 1);
  autocorrelate(acf, values, Math.min(maxLag, values.length - 1));
  const zero = acf[0]! || 1;
  let best = minBpm;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let bpm = minBpm; bpm <= maxBpm + 1e-9; bpm += 0.05) {
    const p = (60 * frameRate) / bpm;
    let on = 0;
    let half = 0;
    let third = 0;
    for (let k = 1; k <= 4; k++) {
      on += at(acf, k * p);
      half += at(acf, (k - 0.5) * p);
      third += Math.max(at(acf, (k - 1 / 3) * p), at(acf, (k - 2 / 3) * p));
    }
    const contrast = (on - OFFBEAT_PENALTY * Math.max(half, third)) / 4;
    const octaves = Math.log2(bpm / PRIOR_CENTER_BPM);
    const score = contrast * Math.exp(-0.5 * (octaves / PRIOR_WIDTH_OCTAVES) ** 2);
    if (score > bestScore) {
      bestScore = score;
      best = bpm;
    }
  }
  return {
    bpm: Math.round(best * 100) / 100,
    confidence: Math.max(0, Math.min(1, bestScore / zero)),
  };
}

/**
 * Estimates the tempo of a piece: onset envelope (spectral flux at ~86 frames/s), its
 * autocorrelation, then the beat period with the strongest on-beat/off-beat contrast in the range.
 * Also estimates 10 s windows to flag material whose tempo varies.
 */
export function estimateTempo(args: EstimateTempoArgs): TempoResult {
  const minBpm = args.minBpm ?? 60;
  const maxBpm = args.maxBpm ?? 200;
  if (!(minBpm > 0 && maxBpm > minBpm)) {
    throw new AnalysisError('invalid_argument', 'need 0 < minBpm < maxBpm');
  }
  const factor = analysisFactor(args.audio.sampleRate);
  const rate = args.audio.sampleRate / factor;
  const mono = decimate(mixToMono(args.audio), factor);
  if (mono.length < rate * 2)
    throw new AnalysisError('too_short', 'tempo needs at least 2 s of audio');
  const env = onsetEnvelope({ signal: mono, sampleRate: rate, frameSize: 1024, hop: 256 });
  const global = bestTempo(env.values, env.frameRate, minBpm, maxBpm);
  const segments: { start: number; bpm: number }[] = [];
  const win = Math.round(10 * env.frameRate);
  const step = Math.round(5 * env.frameRate);
  if (env.values.length >= 2 * win) {
    for (let s = 0; s + win <= env.values.length; s += step) {
      const local = bestTempo(env.values.subarray(s, s + win), env.frameRate, minBpm, maxBpm);
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
