import { type AudioInput, mixToMono } from './audio.js';
import { chromaProfile } from './chroma.js';
import { AnalysisError } from './errors.js';
import { hpcpProfile } from './hpcp.js';
import { rotatedCorrelation, TEMPERLEY, THREE_CHORDS, withHarmonics } from './key-profiles.js';
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
  /**
   * 0..1: margin of the best key's decision score over the runner-up's, as 1 - exp(-5 margin)
   * (0 when two keys tie).
   */
  confidence: number;
  /** Pearson correlation of the chroma profile with the chosen key's three-chord template. */
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

/** Length of the blocks whose chords are counted (s): about a chord's usual duration. */
const CHORD_BLOCK_SECONDS = 0.5;

/** Diatonic templates with partials: the Temperley (2007) pitch-class frequencies. */
const SCALE_TEMPLATES = {
  major: withHarmonics(TEMPERLEY.major, TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
  minor: withHarmonics(TEMPERLEY.minor, TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
};

/**
 * Features of a key candidate (tonic `t`, mode): correlation of the profile with the
 * three-chord template and with the diatonic (Temperley) template, the bass profile's weight on
 * the tonic, on the fifth above it and on the third of the mode, a minor-mode indicator (with
 * chord statistics only), the share of blocks whose chord is the tonic chord, a chord on the
 * fifth, a chord on the fourth, and the share of the opening blocks whose chord is the tonic
 * chord ({@link chordStats}).
 */
export function keyFeatures(
  chroma: ArrayLike<number>,
  bass: ArrayLike<number> | undefined,
  chords: ChordStats | undefined,
  t: number,
  mode: 'major' | 'minor',
): number[] {
  const b = (i: number) => (bass ? bass[(t + i) % 12]! : 1 / 12);
  // Chord shares, index 2 * root + (minor ? 1 : 0).
  const at = (i: number, minor: boolean) => 2 * ((t + i) % 12) + (minor ? 1 : 0);
  const c = (i: number, minor: boolean) => (chords ? chords.shares[at(i, minor)]! : 1 / 24);
  const minor = mode === 'minor';
  return [
    rotatedCorrelation(chroma, TEMPLATES[mode], t),
    rotatedCorrelation(chroma, SCALE_TEMPLATES[mode], t),
    b(0),
    b(7),
    b(minor ? 3 : 4),
    // The minor-mode term was fitted beside the chord features and offsets their lean toward
    // major; without chords it has nothing to offset and stays neutral.
    minor && chords ? 1 : 0,
    c(0, minor),
    c(7, false) + c(7, true),
    c(5, false) + c(5, true),
    chords ? chords.opening[at(0, minor)]! : 1 / 24,
  ];
}

/** Major and minor triads with partials, for the chord of each block ({@link chordStats}). */
const TRIADS = {
  major: withHarmonics([1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0], TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
  minor: withHarmonics([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0], TEMPLATE_HARMONICS, TEMPLATE_SLOPE),
};

/**
 * Weight of a block's bass profile (its share on the chord's root) added to the triad
 * correlation when naming the block's chord: with it, C6 (C E G A over C) and Am7 (the same notes
 * over A) are told apart by their bass. Chosen by cross-validation on the tuning half of the wide
 * corpus (0, 0.5, 1, 2; see docs/analysis.md).
 */
const CHORD_BASS_WEIGHT = 1;

/**
 * Blocks with pitched content that make up a piece's opening (2 blocks of 0.5 s: its first
 * second). Chosen by cross-validation on the tuning half of the wide corpus (1, 2, 3, 4, 6 s).
 */
const OPENING_BLOCKS = 2;

/** Chord statistics of a piece ({@link chordStats}), index 2 * root + (minor ? 1 : 0). */
export interface ChordStats {
  /** Share of blocks whose chord is each of the 24 major and minor triads. */
  shares: Float64Array;
  /** The same over the opening: the first blocks with pitched content ({@link OPENING_BLOCKS}). */
  opening: Float64Array;
}

/**
 * Names each block's chord, the major or minor triad whose template (with partials) correlates
 * best with the block's profile, plus the block's bass share on the triad's root; each block
 * counts with that score (0 if negative). Returns the share of each triad over the whole piece
 * and over its opening. The tonic chord is the most frequent chord of most music, also where the
 * global pitch-class profile matches another key's scale (a Mixolydian I-bVII-IV uses the scale
 * of IV), and most pieces begin on it.
 */
export function chordStats(
  blocks: readonly ArrayLike<number>[],
  bassBlocks?: readonly ArrayLike<number>[],
): ChordStats {
  const shares = new Float64Array(24);
  const opening = new Float64Array(24);
  let total = 0;
  let openingTotal = 0;
  let opened = 0;
  blocks.forEach((block, i) => {
    const bass = bassBlocks?.[i];
    let best = 0;
    let bestR = 0;
    for (let root = 0; root < 12; root++) {
      const fromBass = bass ? CHORD_BASS_WEIGHT * bass[root]! : 0;
      const rMaj = rotatedCorrelation(block, TRIADS.major, root) + fromBass;
      const rMin = rotatedCorrelation(block, TRIADS.minor, root) + fromBass;
      if (rMaj > bestR) {
        bestR = rMaj;
        best = 2 * root;
      }
      if (rMin > bestR) {
        bestR = rMin;
        best = 2 * root + 1;
      }
    }
    shares[best] = shares[best]! + bestR;
    total += bestR;
    if (bestR > 0 && opened < OPENING_BLOCKS) {
      opened++;
      opening[best] = opening[best]! + bestR;
      openingTotal += bestR;
    }
  });
  if (total > 0) for (let i = 0; i < 24; i++) shares[i] = shares[i]! / total;
  if (openingTotal > 0) for (let i = 0; i < 24; i++) opening[i] = opening[i]! / openingTotal;
  return { shares, opening };
}

/**
 * Weights of {@link keyFeatures}, fitted by softmax regression over the 24 keys on the tuning
 * half of the wide benchmark corpus, each item whole and cut to start 7.7 s in, so that the fit
 * sees pieces that do not open on their tonic (benchmarks/analysis/key-fit.ts --augment 7.7, L2
 * weight 0.01 chosen by groove-grouped cross-validation there; see docs/analysis.md).
 */
export const KEY_WEIGHTS: readonly number[] = [
  2.945, 3.123, 0.479, 0.592, 0.071, 0.719, 2.794, -0.508, 0.637, 1.536,
];

/**
 * Weights of {@link keyFeatures} refitted without the opening chord (key-fit.ts with KEY_ZERO=9,
 * L2 weight 0.001 by the same rule), for audio that does not start at a piece's beginning
 * ({@link EstimateKeyArgs.excerpt}): lower on whole pieces, higher on excerpts (see
 * docs/analysis.md).
 */
export const EXCERPT_KEY_WEIGHTS: readonly number[] = [
  3.767, 4.599, 0.548, 3.462, 0.952, 0.904, 6.599, -2.474, 1.014, 0,
];

/**
 * Chooses the key of a 12-bin chroma profile (index 0 = C), optionally with a bass profile of the
 * same form: each of the 24 keys is scored by {@link KEY_WEIGHTS} over its {@link keyFeatures}.
 * The main evidence is the Pearson correlation with the key's template, the pitch-class content
 * of its tonic, subdominant and dominant triads ({@link THREE_CHORDS}) with eight partials per
 * note decaying 0.7 per partial ({@link withHarmonics}); the diatonic template and the bass line's
 * notes decide between keys whose triads overlap (the dominant, the relative, the parallel).
 */
export function keyFromChroma(
  chroma: ArrayLike<number>,
  bass?: ArrayLike<number>,
  chords?: ChordStats,
  weights: readonly number[] = KEY_WEIGHTS,
): KeyResult {
  const scores: { tonic: number; mode: 'major' | 'minor'; s: number; r: number }[] = [];
  for (let t = 0; t < 12; t++) {
    for (const mode of ['major', 'minor'] as const) {
      const f = keyFeatures(chroma, bass, chords, t, mode);
      let s = 0;
      for (let i = 0; i < weights.length; i++) s += weights[i]! * f[i]!;
      scores.push({ tonic: t, mode, s, r: f[0]! });
    }
  }
  scores.sort((a, b) => b.s - a.s);
  const best = scores[0]!;
  const second = scores[1]!;
  // Margin over the runner-up as a softmax probability ratio, scaled to 0..1.
  const confidence = Math.max(0, Math.min(1, 1 - Math.exp(-(best.s - second.s) * 5)));
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
  /**
   * The audio is an excerpt (a preview, a clip from the middle of a piece), so its first chord
   * says nothing about the key: decide without the opening chord ({@link EXCERPT_KEY_WEIGHTS}).
   * Default false: whole pieces, which most often open on their tonic chord.
   */
  excerpt?: boolean;
  /** Weights of the key decision's features, for experiments; default {@link KEY_WEIGHTS}. */
  weights?: readonly number[];
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
  const weights = args.weights ?? (args.excerpt ? EXCERPT_KEY_WEIGHTS : KEY_WEIGHTS);
  if (args.profile === 'chroma')
    return keyFromChroma(
      chromaProfile({ signal: mono, sampleRate: rate }),
      undefined,
      undefined,
      weights,
    );
  const { chroma, bass, blocks, bassBlocks } = hpcpProfile({
    signal: mono,
    sampleRate: rate,
    blockSeconds: CHORD_BLOCK_SECONDS,
  });
  return keyFromChroma(chroma, bass, chordStats(blocks, bassBlocks), weights);
}
