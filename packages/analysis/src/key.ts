import { type AudioInput, mixToMono } from './audio.js';
import { chromaProfile } from './chroma.js';
import { AnalysisError } from './errors.js';
import { hpcpProfile } from './hpcp.js';
import { ALBRECHT_SHANAHAN, rotatedCorrelation } from './key-profiles.js';
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

/**
 * Chooses the key whose rotated Albrecht-Shanahan (2013) profile best correlates with a 12-bin
 * chroma profile (index 0 = C). The profile family was chosen over Krumhansl-Kessler, Temperley
 * and their averages on a separate tuning corpus (see docs/analysis.md).
 */
export function keyFromChroma(chroma: ArrayLike<number>): KeyResult {
  const { major, minor } = ALBRECHT_SHANAHAN;
  const scores: { tonic: number; mode: 'major' | 'minor'; r: number }[] = [];
  for (let t = 0; t < 12; t++) {
    scores.push({ tonic: t, mode: 'major', r: rotatedCorrelation(chroma, major, t) });
    scores.push({ tonic: t, mode: 'minor', r: rotatedCorrelation(chroma, minor, t) });
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
  /**
   * Pitch-class profile: `chroma` (default) maps every STFT bin to its pitch class
   * ({@link chromaProfile}); `hpcp` uses spectral peaks with harmonic weighting, folded around the
   * estimated tuning ({@link hpcpProfile}). `hpcp` is the more accurate on the tuning corpus and
   * copes with recordings off A4 = 440 Hz; see docs/analysis.md for why it is not the default.
   */
  profile?: 'chroma' | 'hpcp';
}

/**
 * Estimates the musical key: a long-term pitch-class profile of the mono mix at ~22 kHz
 * (8192-point STFT, 55 Hz-4 kHz, each frame normalized) correlated with the 24 rotations of the
 * Albrecht-Shanahan major and minor profiles.
 */
export function estimateKey(args: EstimateKeyArgs): KeyResult {
  const factor = analysisFactor(args.audio.sampleRate);
  const rate = args.audio.sampleRate / factor;
  const mono = decimate(mixToMono(args.audio), factor);
  if (mono.length < rate) throw new AnalysisError('too_short', 'key needs at least 1 s of audio');
  const chroma =
    args.profile === 'hpcp'
      ? hpcpProfile({ signal: mono, sampleRate: rate }).chroma
      : chromaProfile({ signal: mono, sampleRate: rate });
  return keyFromChroma(chroma);
}
