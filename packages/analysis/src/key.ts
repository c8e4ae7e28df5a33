import { type AudioInput, mixToMono } from './audio.js';
import { chromaProfile } from './chroma.js';
import { AnalysisError } from './errors.js';
import { hpcpProfile } from './hpcp.js';
import { rotatedCorrelation, THREE_CHORDS, withHarmonics } from './key-profiles.js';
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
 * Partials per note and their decay in the key templates ({@link withHarmonics}): the h-th
 * partial weighs 0.7^(h-1). Chosen on the tuning corpus (see docs/analysis.md), where 4-8
 * partials with decays 0.5-0.7 all scored 0.992-0.998 (MIREX weighted).
 */
const TEMPLATE_HARMONICS = 8;
const TEMPLATE_SLOPE = 0.7;

/** Major and minor key templates for C (index 0 = C); other keys are rotations. */
const TEMPLATES = {
  major: withHarmonics(THREE_CHORDS.major, TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
  minor: withHarmonics(THREE_CHORDS.minor, TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
};

/**
 * Chooses the key whose template best correlates (Pearson) with a 12-bin chroma profile
 * (index 0 = C). A key's template is the pitch-class content of its tonic, subdominant and
 * dominant triads ({@link THREE_CHORDS}) with eight partials per note, decaying 0.7 per partial
 * ({@link withHarmonics}), i.e. what the measured profile of music built on those chords looks
 * like. It was chosen over the Albrecht-Shanahan, Temperley and Krumhansl-Kessler profiles, with
 * and without partials, on a separate tuning corpus (see docs/analysis.md).
 */
export function keyFromChroma(chroma: ArrayLike<number>): KeyResult {
  const { major, minor } = TEMPLATES;
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
   * Pitch-class profile: `hpcp` (default) uses the spectral peaks, folded around the estimated
   * tuning ({@link hpcpProfile}), so it copes with recordings off A4 = 440 Hz; `chroma` maps every
   * STFT bin to its pitch class ({@link chromaProfile}) and is less accurate on the tuning corpus
   * (see docs/analysis.md).
   */
  profile?: 'chroma' | 'hpcp';
}

/**
 * Estimates the musical key: a long-term pitch-class profile of the mono mix at ~22 kHz
 * (8192-point STFT, spectral peaks between 100 Hz and 4 kHz, each frame normalized) correlated with
 * the 24 rotations of the major and minor key templates ({@link keyFromChroma}).
 */
export function estimateKey(args: EstimateKeyArgs): KeyResult {
  const factor = analysisFactor(args.audio.sampleRate);
  const rate = args.audio.sampleRate / factor;
  const mono = decimate(mixToMono(args.audio), factor);
  if (mono.length < rate) throw new AnalysisError('too_short', 'key needs at least 1 s of audio');
  const chroma =
    args.profile === 'chroma'
      ? chromaProfile({ signal: mono, sampleRate: rate })
      : hpcpProfile({ signal: mono, sampleRate: rate }).chroma;
  return keyFromChroma(chroma);
}
