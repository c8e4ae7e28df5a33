/**
 * Published key profiles: weights of the 12 pitch classes in C major and C minor (index 0 = C);
 * other keys are rotations.
 */
export interface KeyProfile {
  major: readonly number[];
  minor: readonly number[];
}

/** Albrecht & Shanahan (2013, Music Perception 31(1)): pitch-class distributions of a corpus. */
export const ALBRECHT_SHANAHAN: KeyProfile = {
  major: [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.08, 0.008, 0.081],
  minor: [0.22, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052],
};

/** Krumhansl & Kessler (1982): probe-tone ratings. */
export const KRUMHANSL_KESSLER: KeyProfile = {
  major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
  minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
};

/** Temperley (2007, Music and Probability): pitch-class frequencies of the Kostka-Payne corpus. */
export const TEMPERLEY: KeyProfile = {
  major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
  minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
};

/**
 * Pearson correlation of `chroma` rotated by `shift` (so that pitch class `shift` lines up with
 * the profile's tonic) with `profile`.
 */
export function rotatedCorrelation(
  chroma: ArrayLike<number>,
  profile: readonly number[],
  shift: number,
): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 12; i++) {
    mx += chroma[i]!;
    my += profile[i]!;
  }
  mx /= 12;
  my /= 12;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < 12; i++) {
    const a = chroma[(i + shift) % 12]! - mx;
    const b = profile[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
