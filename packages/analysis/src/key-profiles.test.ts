import { describe, expect, it } from 'vitest';
import {
  ALBRECHT_SHANAHAN,
  rotatedCorrelation,
  THREE_CHORDS,
  withHarmonics,
} from './key-profiles.js';

describe('key profiles', () => {
  it('builds the three-chord profile from the I, IV and V (i, iv, V) triads', () => {
    const count = (triads: number[][]) => {
      const p = new Array(12).fill(0);
      for (const t of triads) for (const n of t) p[n % 12]++;
      return p;
    };
    expect(THREE_CHORDS.major).toEqual(
      count([
        [0, 4, 7],
        [5, 9, 12],
        [7, 11, 14],
      ]),
    );
    expect(THREE_CHORDS.minor).toEqual(
      count([
        [0, 3, 7],
        [5, 8, 12],
        [7, 11, 14],
      ]),
    );
  });

  it('adds each partial of a note at 12·log2(h) semitones with weight slope^(h-1)', () => {
    const c = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const p = withHarmonics(c, 8, 0.5);
    // h = 1, 2, 4, 8 are C; 3 and 6 are G (+19, +31); 5 is E (+28); 7 is Bb (+33.7, rounds to 34).
    expect(p[0]).toBeCloseTo(1 + 0.5 + 0.125 + 0.0078125, 12);
    expect(p[7]).toBeCloseTo(0.25 + 0.03125, 12);
    expect(p[4]).toBeCloseTo(0.0625, 12);
    expect(p[10]).toBeCloseTo(0.015625, 12);
    expect(p.filter((v, i) => ![0, 4, 7, 10].includes(i) && v !== 0)).toEqual([]);
    expect(withHarmonics(c, 1, 0.5)).toEqual(c);
  });

  it('correlates a profile with itself at its own rotation only', () => {
    const shifted = ALBRECHT_SHANAHAN.major.map((_, i) => ALBRECHT_SHANAHAN.major[(i + 7) % 12]!);
    expect(rotatedCorrelation(shifted, ALBRECHT_SHANAHAN.major, 5)).toBeCloseTo(1, 12);
    expect(rotatedCorrelation(shifted, ALBRECHT_SHANAHAN.major, 0)).toBeLessThan(0.9);
  });
});
