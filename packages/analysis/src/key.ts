import { type AudioInput, mixToMono } from './audio.js';
import { chromaProfile } from './chroma.js';
import { AnalysisError } from './errors.js';
import { analysisFactor, decimate } from './spectral.js';

/** Pitch-class names used for keys (sharps, except the conventional flat keys below). */
const NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** Result of {@link estimateKey}. */
export interface KeyResult {
  /** Tonic pitch class, 0 = C ... 11 = B. */
  tonic: number;
  mode: 'major' | 'minor';
  /** Standard notation, e.g. `A minor`, `Eb major`. */
  name: string;
  /** Camelot wheel code, e.g. `8A` for A minor, `8B` for C major. */
  camelot: string;
  /** 0..1: margin of the best key's correlation over the runner-up, scaled. */
  confidence: number;
  /** Pearson correlation of the chroma profile with the chosen key profile. */
  correlation: number;
}

/**
 * Key profiles of Albrecht & Shanahan (2013, Music Perception 31(1)): pitch-class distributions of
 * a corpus of major- and minor-mode pieces, C major and C minor. Other keys are rotations. Chosen
 * over Krumhansl-Kessler and Temperley on a separate tuning corpus (see docs/analysis.md).
 */
const MAJOR = [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.08, 0.008, 0.081];
const MINOR = [0.22, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052];

function pearson(x: ArrayLike<number>, profile: readonly number[], shift: number): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 12; i++) {
    mx += x[i]!;
    my += profile[i]!;
  }
  mx /= 12;
  my /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 12; i++) {
    const a = x[(i + shift) % 12]! - mx;
    const b = profile[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Camelot code of a key: major keys are `B`, minor `A`; C major = 8B, A minor = 8A. */
export function camelotOf(tonic: number, mode: 'major' | 'minor'): string {
  // Moving a fifth up adds one on the wheel; C major sits at 8, its relative A minor at 8 too.
  const majorTonic = mode === 'major' ? tonic : (tonic + 3) % 12;
  const n = (((majorTonic * 7) % 12) + 7) % 12;
  return `${n + 1}${mode === 'major' ? 'B' : 'A'}`;
}

/** Standard name of a key, e.g. `F# minor`. */
export function keyName(tonic: number, mode: 'major' | 'minor'): string {
  return `${NAMES[((tonic % 12) + 12) % 12]} ${mode}`;
}

/** Chooses the key whose rotated profile best correlates with a 12-bin chroma profile. */
export function keyFromChroma(chroma: ArrayLike<number>): KeyResult {
  const scores: { tonic: number; mode: 'major' | 'minor'; r: number }[] = [];
  for (let t = 0; t < 12; t++) {
    scores.push({ tonic: t, mode: 'major', r: pearson(chroma, MAJOR, t) });
    scores.push({ tonic: t, mode: 'minor', r: pearson(chroma, MINOR, t) });
  }
  scores.sort((a, b) => b.r - a.r);
  const best = scores[0]!;
  const second = scores[1]!;
  const confidence = best.r > 0 ? Math.max(0, Math.min(1, ((best.r - second.r) / best.r) * 5)) : 0;
  return {
    tonic: best.tonic,
    mode: best.mode,
    name: keyName(best.tonic, best.mode),
    camelot: camelotOf(best.tonic, best.mode),
    confidence,
    correlation: best.r,
  };
}

/** Arguments of {@link estimateKey}. */
export interface EstimateKeyArgs {
  audio: AudioInput;
}

/**
 * Estimates the musical key: a long-term chroma profile (STFT at ~22 kHz, 55 Hz-4 kHz) correlated
 * with the 24 rotations of the Albrecht-Shanahan major and minor profiles.
 */
export function estimateKey(args: EstimateKeyArgs): KeyResult {
  const factor = analysisFactor(args.audio.sampleRate);
  const rate = args.audio.sampleRate / factor;
  const mono = decimate(mixToMono(args.audio), factor);
  if (mono.length < rate) throw new AnalysisError('too_short', 'key needs at least 1 s of audio');
  return keyFromChroma(chromaProfile({ signal: mono, sampleRate: rate }));
}
