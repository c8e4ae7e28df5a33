import { describe, expect, it } from 'vitest';
import { chordProgression, noteSequence } from '../test/synth.js';
import { camelotOf, chordStats, estimateKey, keyName } from './key.js';

describe('estimateKey', () => {
  for (const [tonic, mode] of [
    [0, 'major'],
    [9, 'minor'],
    [3, 'major'],
    [6, 'minor'],
    [10, 'minor'],
  ] as const) {
    it(`finds ${keyName(tonic, mode)} in a synthetic progression`, () => {
      const audio = { sampleRate: 22050, channels: [chordProgression(tonic, mode, 8, 22050)] };
      const r = estimateKey({ audio });
      expect([r.tonic, r.mode]).toEqual([tonic, mode]);
      expect(r.confidence).toBeGreaterThan(0);
    });
  }

  // Triads (root position, over a bass note an octave below) from MIDI note numbers.
  const triad = (root: number, third: number) => [root - 12, root, root + third, root + 7];
  const estimate = (notes: number[][], cents = 0, profile?: 'chroma' | 'hpcp') => {
    const signal = noteSequence(notes, { noteSeconds: 1, sampleRate: 22050, cents });
    const r = estimateKey({ audio: { sampleRate: 22050, channels: [signal] }, profile });
    return keyName(r.tonic, r.mode);
  };

  for (const profile of ['chroma', 'hpcp'] as const) {
    it(`${profile}: reads a B major cadence (I-IV-V-I) as B major, not its subdominant E major`, () => {
      // B3 D#4 F#4, E4 G#4 B4, F#3 A#3 C#4, B3 D#4 F#4: the leading tone A# rules out E major.
      const cadence = [triad(59, 4), triad(64, 4), triad(54, 4), triad(59, 4)];
      expect(estimate([...cadence, ...cadence], 0, profile)).toBe('B major');
    });

    it(`${profile}: reads a B major scale over a tonic drone as B major`, () => {
      const scale = [59, 61, 63, 64, 66, 68, 70, 71, 70, 68, 66, 64, 63, 61, 59];
      expect(
        estimate(
          scale.map((n) => [47, n]),
          0,
          profile,
        ),
      ).toBe('B major');
    });

    it(`${profile}: tells a harmonic-minor cadence from its relative major (G# minor vs B major)`, () => {
      // G#m, C#m, D# (with the raised seventh F##/G), G#m.
      const cadence = [triad(56, 3), triad(61, 3), triad(51, 4), triad(56, 3)];
      expect(estimate([...cadence, ...cadence], 0, profile)).toBe('Ab minor');
    });

    it(`${profile}: tells A minor from C major in an i-iv-V-i cadence`, () => {
      const cadence = [triad(57, 3), triad(62, 3), triad(52, 4), triad(57, 3)];
      expect(estimate([...cadence, ...cadence], 0, profile)).toBe('A minor');
    });

    it(`${profile}: finds E major in a cadence tuned 40 cents sharp`, () => {
      const cadence = [triad(52, 4), triad(57, 4), triad(59, 4), triad(52, 4)];
      expect(estimate([...cadence, ...cadence], 40, profile)).toBe('E major');
    });
  }

  // Modal progressions over their tonic: the global profile is another key's scale (D
  // Mixolydian uses the notes of G major, D Dorian those of C major); the tonic chord and the
  // bass name the tonic. MIREX labels them by the tonic's major or minor.
  const sequence = (chords: number[][]) => {
    const signal = noteSequence([...chords, ...chords], { noteSeconds: 1, sampleRate: 22050 });
    const r = estimateKey({ audio: { sampleRate: 22050, channels: [signal] } });
    return keyName(r.tonic, r.mode);
  };
  it('reads a Mixolydian I-bVII-IV-I (D, C, G, D) as D major, not G major', () => {
    expect(sequence([triad(62, 4), triad(60, 4), triad(55, 4), triad(62, 4)])).toBe('D major');
  });
  it('reads a Dorian i-IV vamp (Dm, G) as D minor, not C major', () => {
    expect(sequence([triad(62, 3), triad(62, 3), triad(55, 4), triad(62, 3)])).toBe('D minor');
  });
  it('reads B major I-vi-IV-V-I as B major, not E major or G# minor', () => {
    expect(sequence([triad(59, 4), triad(56, 3), triad(52, 4), triad(54, 4), triad(59, 4)])).toBe(
      'B major',
    );
  });

  it('weighs the opening chord: I-vi-IV-IV-V in B major reads B major from I, E major from IV', () => {
    // B, G#m, E, E, F#: the IV chord and its bass last twice as long as the tonic's, so apart
    // from the opening only the leading tone A# speaks for B major.
    const loop = [triad(59, 4), triad(56, 3), triad(52, 4), triad(52, 4), triad(54, 4)];
    expect(sequence(loop)).toBe('B major');
    expect(sequence([...loop.slice(2), ...loop.slice(0, 2)])).toBe('E major');
  });

  it('ignores the opening chord for excerpts: the same loop reads alike from I and from IV', () => {
    const loop = [triad(59, 4), triad(56, 3), triad(52, 4), triad(52, 4), triad(54, 4)];
    const read = (chords: number[][]) => {
      const signal = noteSequence([...chords, ...chords], { noteSeconds: 1, sampleRate: 22050 });
      const r = estimateKey({ audio: { sampleRate: 22050, channels: [signal] }, excerpt: true });
      return keyName(r.tonic, r.mode);
    };
    expect(read([...loop.slice(2), ...loop.slice(0, 2)])).toBe(read(loop));
  });

  it('reads the relative minor of the same chords, G# minor i-iv-V-i with vi-like weight, as G# minor', () => {
    // G#m, C#m, D# (raised seventh F##/G), G#m, with the tonic chord again at the end.
    const signal = noteSequence(
      [
        [44, 56, 59, 63],
        [49, 61, 64, 68],
        [51, 63, 67, 70],
        [44, 56, 59, 63],
        [44, 56, 59, 63],
      ],
      { noteSeconds: 1, sampleRate: 22050 },
    );
    const r = estimateKey({ audio: { sampleRate: 22050, channels: [signal] } });
    expect(keyName(r.tonic, r.mode)).toBe('Ab minor');
  });

  it('finds the key of a cadence tuned 45 cents flat with either profile', () => {
    const cadence = [triad(55, 4), triad(60, 4), triad(62, 4), triad(55, 4)];
    expect(estimate([...cadence, ...cadence], -45, 'hpcp')).toBe('G major');
    expect(estimate([...cadence, ...cadence], -45, 'chroma')).toBe('G major');
  });

  it('counts each block for its best-matching triad', () => {
    const block = (pcs: number[]) => {
      const b = new Array(12).fill(0.01);
      for (const pc of pcs) b[pc] = 1;
      return b;
    };
    // Three blocks of C major (C E G), one of A minor (A C E).
    const blocks = [block([0, 4, 7]), block([0, 4, 7]), block([9, 0, 4]), block([0, 4, 7])];
    const { shares, opening } = chordStats(blocks);
    expect(shares[0]).toBeCloseTo(0.75, 1);
    expect(shares[2 * 9 + 1]).toBeCloseTo(0.25, 1);
    expect(opening[0]).toBeCloseTo(1, 5);
  });

  it('names a block C6 or Am7 (the same notes) by its bass', () => {
    const notes = new Array(12).fill(0.01);
    for (const pc of [0, 4, 7, 9]) notes[pc] = 1;
    const bassOn = (pc: number) => Array.from({ length: 12 }, (_, i) => (i === pc ? 1 : 0));
    expect(chordStats([notes], [bassOn(0)]).shares[0]).toBeCloseTo(1, 5);
    expect(chordStats([notes], [bassOn(9)]).shares[2 * 9 + 1]).toBeCloseTo(1, 5);
  });

  it('maps keys to the Camelot wheel', () => {
    expect(camelotOf(0, 'major')).toBe('8B');
    expect(camelotOf(9, 'minor')).toBe('8A');
    expect(camelotOf(7, 'major')).toBe('9B');
    expect(camelotOf(5, 'major')).toBe('7B');
    expect(camelotOf(4, 'minor')).toBe('9A');
    expect(camelotOf(11, 'major')).toBe('1B');
    expect(camelotOf(8, 'minor')).toBe('1A');
  });
});
