/**
 * Metrical-level decision for tempo. An onset autocorrelation has peaks at the beat and at every
 * level related to it (the bar, the half bar, eighth notes, triplets), often of similar height:
 * which one listeners tap is the "octave" problem. Here the salience function proposes candidate
 * periods, each candidate is described by a few features (its salience, its tempo, and how
 * strongly the levels 2x, 3x, 1/2 and 1/3 of it are present: tempogram-ratio features after
 * Peeters 2011 and the learnt-prior approach of Percival & Tzanetakis 2014), and a log-linear
 * model scores the candidates. Its weights were fitted on the tuning half of the wide benchmark
 * corpus (benchmarks/analysis/tempo-tune.ts) and never on the held-out half.
 */

/** Weight of the off-grid lags subtracted from the on-grid lags in the salience. */
export const OFFBEAT_PENALTY = 0.3;

/** Salience below this fraction of the zero-lag autocorrelation counts as none (log floor). */
const SALIENCE_FLOOR = 1e-4;

/** Reference tempo of the log-tempo features (BPM). */
const REFERENCE_BPM = 120;

/** Number of candidate periods (local maxima of the salience) scored per decision. */
export const CANDIDATES = 10;

/**
 * Weights of the candidate features, in the order of {@link tempoCandidates}: log salience
 * (relative to the best), log2 tempo / 120 and its square (a learnt log-normal tempo prior), the
 * log salience ratios of the levels 2x, 1/2, 3x and 1/3 to the candidate, and the log backbeat
 * (kick-then-snare cross-correlation one period apart, relative to the best candidate's). Fitted
 * by softmax regression on the tuning half, L2 weight 0.0003 chosen by groove-grouped
 * cross-validation there (see docs/analysis.md). Read as a prior alone, 2.968 x - 1.072 x²
 * peaks at x = 1.38 (about 310 BPM): within 50-220 BPM it favours faster levels, offsetting the
 * salience's lean towards slow ones, whose grid lags all land on onsets.
 */
export const LEVEL_WEIGHTS = [7.611, 2.968, -1.072, 1.026, 7.252, 0.048, -1.345, 4.441] as const;

/** Linear interpolation of `acf` at a fractional lag (0 past the end). */
export function lagValue(acf: Float64Array, lag: number): number {
  const i = Math.floor(lag);
  const f = lag - i;
  if (i + 1 >= acf.length) return 0;
  return acf[i]! * (1 - f) + acf[i + 1]! * f;
}

/**
 * Beat-grid contrast of a period `p` (frames): the mean autocorrelation at lags P..4P minus
 * {@link OFFBEAT_PENALTY} times the larger of the means at the half-period off-beat lags
 * (P/2, 3P/2, ...) and at the third-period lags (P/3 or 2P/3, ...).
 */
export function salience(acf: Float64Array, p: number): number {
  let on = 0;
  let half = 0;
  let third = 0;
  for (let k = 1; k <= 4; k++) {
    on += lagValue(acf, k * p);
    half += lagValue(acf, (k - 0.5) * p);
    third += Math.max(lagValue(acf, (k - 1 / 3) * p), lagValue(acf, (k - 2 / 3) * p));
  }
  return (on - OFFBEAT_PENALTY * Math.max(half, third)) / 4;
}

/** A candidate beat period and its features. */
export interface TempoCandidate {
  bpm: number;
  salience: number;
  features: number[];
}

/**
 * The candidates of a decision: local maxima of the salience between minBpm and maxBpm (0.05 BPM
 * steps, the strongest {@link CANDIDATES}), with their features. `acf` must reach lag
 * 4 * 60 * 3 * frameRate / minBpm (the 1/3 level's grid).
 */
export function tempoCandidates(
  acf: Float64Array,
  frameRate: number,
  minBpm: number,
  maxBpm: number,
  backbeat?: Float64Array,
): TempoCandidate[] {
  const zero = acf[0]! || 1;
  const floor = SALIENCE_FLOOR * zero;
  const sal = (bpm: number) => Math.max(floor, salience(acf, (60 * frameRate) / bpm));
  const step = 0.05;
  const count = Math.floor((maxBpm - minBpm) / step) + 1;
  const curve = new Float64Array(count);
  for (let i = 0; i < count; i++) curve[i] = salience(acf, (60 * frameRate) / (minBpm + i * step));
  const peaks: { bpm: number; s: number }[] = [];
  for (let i = 0; i < count; i++) {
    const v = curve[i]!;
    if ((i === 0 || v > curve[i - 1]!) && (i === count - 1 || v >= curve[i + 1]!)) {
      peaks.push({ bpm: minBpm + i * step, s: v });
    }
  }
  peaks.sort((a, b) => b.s - a.s);
  // Keep distinct candidates (more than 2 % apart).
  const kept: { bpm: number; s: number }[] = [];
  for (const pk of peaks) {
    if (kept.length >= CANDIDATES) break;
    if (kept.every((k) => Math.abs(pk.bpm / k.bpm - 1) > 0.02)) kept.push(pk);
  }
  const top = Math.max(floor, kept[0]?.s ?? floor);
  // Backbeat: low-band onsets followed one period later by mid-band ones (kick, then snare).
  const bb = (bpm: number) =>
    backbeat ? Math.max(1e-4, lagValue(backbeat, (60 * frameRate) / bpm)) : 1;
  const bbTop = Math.max(...kept.map((k) => bb(k.bpm)));
  return kept.map(({ bpm, s }) => {
    const own = Math.max(floor, s);
    const x = Math.log2(bpm / REFERENCE_BPM);
    return {
      bpm,
      salience: s,
      features: [
        Math.log(own / top),
        x,
        x * x,
        Math.log(sal(2 * bpm) / own),
        Math.log(sal(bpm / 2) / own),
        Math.log(sal(3 * bpm) / own),
        Math.log(sal(bpm / 3) / own),
        Math.log(bb(bpm) / bbTop),
      ],
    };
  });
}

/** Score of a candidate under `weights` (higher is more likely the felt beat). */
export function candidateScore(c: TempoCandidate, weights: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += weights[i]! * c.features[i]!;
  return s;
}

/**
 * Normalized cross-correlation of `low` with `mid` delayed by 0..maxLag frames into `out`
 * (caller-owned, length maxLag + 1): how often a mid-band onset follows a low-band one by that lag.
 */
export function crossCorrelate(
  out: Float64Array,
  low: Float32Array,
  mid: Float32Array,
  maxLag: number,
): void {
  const n = Math.min(low.length, mid.length);
  let el = 0;
  let em = 0;
  for (let i = 0; i < n; i++) {
    el += low[i]! * low[i]!;
    em += mid[i]! * mid[i]!;
  }
  const norm = Math.sqrt(el * em) || 1;
  for (let lag = 0; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += low[i]! * mid[i + lag]!;
    out[lag] = (s / norm) * (n / (n - lag || 1));
  }
}

/** Longest lag the candidates of a range need (frames). */
export function maxLagFor(frameRate: number, minBpm: number): number {
  return Math.ceil((4 * 60 * 3 * frameRate) / minBpm) + 2;
}
