/** MIREX scoring for tempo (Accuracy1/2) and key (weighted score). */

/** Accuracy1: within 4 % of the true tempo. */
export function acc1(estimate: number, truth: number): boolean {
  return Math.abs(estimate / truth - 1) <= 0.04;
}

/** Accuracy2: within 4 % of the true tempo or of 2x, 1/2x, 3x or 1/3x it (octave errors allowed). */
export function acc2(estimate: number, truth: number): boolean {
  return [1, 2, 0.5, 3, 1 / 3].some((m) => Math.abs(estimate / (truth * m) - 1) <= 0.04);
}

export interface Key {
  tonic: number;
  mode: 'major' | 'minor';
}

/**
 * MIREX key score: 1 for the same key, 0.5 for a key a perfect fifth above or below in the same
 * mode, 0.3 for the relative major/minor, 0.2 for the parallel major/minor, else 0.
 */
export function keyScore(estimate: Key, truth: Key): number {
  const d = (((estimate.tonic - truth.tonic) % 12) + 12) % 12;
  if (estimate.mode === truth.mode) {
    if (d === 0) return 1;
    if (d === 7 || d === 5) return 0.5;
    return 0;
  }
  if (d === 0) return 0.2;
  // relative: C major (0) <-> A minor (9)
  if (truth.mode === 'major' && d === 9) return 0.3;
  if (truth.mode === 'minor' && d === 3) return 0.3;
  return 0;
}

const NAMES: Record<string, number> = {
  C: 0,
  'C#': 1,
  Db: 1,
  D: 2,
  'D#': 3,
  Eb: 3,
  E: 4,
  F: 5,
  'F#': 6,
  Gb: 6,
  G: 7,
  'G#': 8,
  Ab: 8,
  A: 9,
  'A#': 10,
  Bb: 10,
  B: 11,
};

/** Parses a key name such as `Eb` + `minor` (Essentia's output) into a {@link Key}. */
export function parseKey(name: string, scale: string): Key | undefined {
  const tonic = NAMES[name];
  if (tonic === undefined) return undefined;
  return { tonic, mode: scale === 'minor' ? 'minor' : 'major' };
}
