import { describe, expect, it } from 'vitest';
import { noteSequence } from '../test/synth.js';
import { hpcpProfile } from './hpcp.js';

const RATE = 22050;

function sine(hz: number, seconds: number): Float32Array {
  const x = new Float32Array(seconds * RATE);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / RATE);
  return x;
}

const argmax = (x: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
};

describe('hpcpProfile', () => {
  it('gathers the bass band apart: A1 and E2 below a C major chord', () => {
    // A1 = 55 Hz and E2 = 82.4 Hz alternate under a sustained C4-E4-G4 (pure sines).
    const bass = [sine(55, 2), sine(82.41, 2)];
    const signal = new Float32Array(4 * RATE);
    signal.set(bass[0]!, 0);
    signal.set(bass[1]!, 2 * RATE);
    for (const hz of [261.63, 329.63, 392])
      sine(hz, 4).forEach((v, i) => {
        signal[i] = signal[i]! + 0.5 * v;
      });
    const { bass: profile, chroma } = hpcpProfile({ signal, sampleRate: RATE });
    expect(profile[9]! + profile[4]!).toBeGreaterThan(0.9);
    expect(Math.abs(profile[9]! - profile[4]!)).toBeLessThan(0.2);
    // Below 100 Hz, the main profile does not see them.
    expect(chroma[9]).toBeLessThan(0.05);
  });

  it('returns one profile per block when asked', () => {
    const signal = new Float32Array(4 * RATE);
    signal.set(sine(440, 2), 0);
    signal.set(sine(392, 2), 2 * RATE);
    const { blocks } = hpcpProfile({ signal, sampleRate: RATE, blockSeconds: 1, harmonics: 1 });
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(argmax(blocks[0]!)).toBe(9);
    expect(argmax(blocks[blocks.length - 2]!)).toBe(7);
  });

  it('puts a 440 Hz sine on A with zero tuning offset', () => {
    // harmonics: 1, since a lone sine is also a candidate 3rd harmonic of D (f/3).
    const signal = sine(440, 3);
    const { chroma, tuningCents } = hpcpProfile({ signal, sampleRate: RATE, harmonics: 1 });
    expect(argmax(chroma)).toBe(9);
    expect(chroma[9]).toBeGreaterThan(0.99);
    expect(Math.abs(tuningCents)).toBeLessThan(2);
  });

  it('measures the tuning of a detuned sine (446 Hz is 23.4 cents sharp)', () => {
    const signal = sine(446, 3);
    const { chroma, tuningCents } = hpcpProfile({ signal, sampleRate: RATE, harmonics: 1 });
    expect(tuningCents).toBeGreaterThan(21);
    expect(tuningCents).toBeLessThan(26);
    // Folded around the measured reference, the tone is a clean A again.
    expect(chroma[9]).toBeGreaterThan(0.99);
  });

  it('folds a 40-cent sharp C major triad as if it were in tune', () => {
    const notes = [[48, 52, 55, 60]];
    const sharp = noteSequence(notes, { noteSeconds: 4, sampleRate: RATE, cents: 40 });
    const inTune = noteSequence(notes, { noteSeconds: 4, sampleRate: RATE });
    const a = hpcpProfile({ signal: sharp, sampleRate: RATE });
    const b = hpcpProfile({ signal: inTune, sampleRate: RATE });
    expect(a.tuningCents).toBeGreaterThan(35);
    expect(a.tuningCents).toBeLessThan(45);
    for (let c = 0; c < 12; c++) expect(Math.abs(a.chroma[c]! - b.chroma[c]!)).toBeLessThan(0.03);
  });

  it('credits candidate fundamentals f/2 ... f/h with harmonic weighting', () => {
    const signal = noteSequence([[48]], { noteSeconds: 4, sampleRate: RATE, harmonics: 8 });
    // Band from 55 Hz, so that the candidates of C3 (131 Hz) down to f/2 stay inside it.
    const at = (harmonics: number) =>
      hpcpProfile({ signal, sampleRate: RATE, harmonics, minHz: 55 }).chroma;
    const plain = at(1);
    const two = at(2);
    const four = at(4);
    // The 3rd and 6th harmonics of C fall on G; f/2 is an octave, so h = 2 changes nothing.
    expect(plain[7]).toBeGreaterThan(0.1);
    for (let c = 0; c < 12; c++) expect(two[c]).toBeCloseTo(plain[c]!, 6);
    // With h = 3, G (3rd harmonic) credits C, and C itself credits F a twelfth below.
    expect(four[7]!).toBeLessThan(plain[7]!);
    expect(plain[5]).toBe(0);
    expect(four[5]!).toBeGreaterThan(0.03);
  });

  it('counts each peak at its own pitch only by default', () => {
    const signal = noteSequence([[48]], { noteSeconds: 4, sampleRate: RATE, harmonics: 8 });
    const byDefault = hpcpProfile({ signal, sampleRate: RATE }).chroma;
    const plain = hpcpProfile({ signal, sampleRate: RATE, harmonics: 1 }).chroma;
    expect([...byDefault]).toEqual([...plain]);
    // C3's partials are C, G, E and Bb; nothing lands on F, a fifth below C.
    expect(byDefault[5]).toBe(0);
  });

  it('returns a unit-sum profile, or zeros for silence', () => {
    const signal = noteSequence([[62, 66, 69]], { noteSeconds: 2, sampleRate: RATE });
    const { chroma } = hpcpProfile({ signal, sampleRate: RATE, whiten: true });
    expect(chroma.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const silent = hpcpProfile({ signal: new Float32Array(2 * RATE), sampleRate: RATE });
    expect([...silent.chroma]).toEqual(new Array(12).fill(0));
    expect(silent.tuningCents).toBe(0);
  });
});
