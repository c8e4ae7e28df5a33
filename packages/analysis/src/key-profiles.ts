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
 * Pitch-class counts of a key's three main triads (Gómez 2006, "three chords"): tonic,
 * subdominant and dominant. Major: I, IV, V; minor: i, iv and the major V of harmonic minor
 * (with the raised seventh). Tonic and fifth appear in two triads each, the other scale tones of
 * those triads in one; the remaining pitch classes in none.
 */
export const THREE_CHORDS: KeyProfile = {
  major: [2, 0, 1, 0, 1, 1, 0, 2, 0, 1, 0, 1],
  minor: [2, 0, 1, 1, 0, 1, 0, 2, 1, 0, 0, 1],
};

/**
 * Polyphonic version of a note profile (after Gómez 2006): what a pitch-class profile measured
 * from audio should look like when every note sounds with its first `harmonics` partials. The
 * h-th partial lies 12·log2(h) semitones above the note (0, 12, 19, 24, 28, 31, 34, 36 for
 * h = 1..8: octaves, fifths, a major third and a flat seventh) and adds the note's weight times
 * `slope^(h-1)` to that pitch class. Putting the partials into the template, instead of trying
 * to remove them from the measured profile, makes the 3rd partial of each note expected energy
 * on its fifth rather than evidence for another key.
 */
export function withHarmonics(
  profile: readonly number[],
  harmonics: number,
  slope: number,
): number[] {
  const out = new Array<number>(12).fill(0);
  for (let h = 1; h <= harmonics; h++) {
    const shift = Math.round(12 * Math.log2(h)) % 12;
    const w = slope ** (h - 1);
    for (let pc = 0; pc < 12; pc++) {
      const k = (pc + shift) % 12;
      out[k] = out[k]! + w * profile[pc]!;
    }
  }
  return out;
}

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
