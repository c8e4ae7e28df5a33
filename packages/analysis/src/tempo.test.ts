import { describe, expect, it } from 'vitest';
import { clickTrack, drumPattern } from '../test/synth.js';
import { estimateTempo } from './tempo.js';

describe('estimateTempo', () => {
  for (const bpm of [60, 97, 128, 174, 200]) {
    it(`finds ${bpm} BPM in a click track within 1 %`, () => {
      const r = estimateTempo({
        audio: { sampleRate: 22050, channels: [clickTrack(bpm, 12, 22050)] },
      });
      expect(Math.abs(r.bpm / bpm - 1)).toBeLessThan(0.01);
      expect(r.confidence).toBeGreaterThan(0.3);
      expect(r.variable).toBe(false);
    });
  }

  // Kick and snare alternate on the beat, hi-hats on the eighths: the felt beat is the
  // kick-snare pulse (not the hats at double, nor the kick at half).
  const drums = (bpm: number) =>
    estimateTempo({ audio: { sampleRate: 22050, channels: [drumPattern(bpm, 20, 22050)] } }).bpm;
  it('finds the kick-snare beat of a fast (176 BPM) rock pattern, not half of it', () => {
    expect(Math.abs(drums(176) / 176 - 1)).toBeLessThan(0.02);
  });
  // Known limitation (docs/analysis.md): at 70 BPM the eighth-note hats win and the fitted
  // decision reads 140. Kept as an expected failure so that a fix shows up here.
  it.fails('finds the kick-snare beat of a slow (70 BPM) rock pattern, not its hats', () => {
    expect(Math.abs(drums(70) / 70 - 1)).toBeLessThan(0.02);
  });

  it('flags a tempo change', () => {
    const a = clickTrack(90, 20, 22050);
    const b = clickTrack(140, 20, 22050);
    const x = new Float32Array(a.length + b.length);
    x.set(a);
    x.set(b, a.length);
    expect(estimateTempo({ audio: { sampleRate: 22050, channels: [x] } }).variable).toBe(true);
  });

  it('refuses audio shorter than 2 s', () => {
    expect(() =>
      estimateTempo({ audio: { sampleRate: 8000, channels: [new Float32Array(100)] } }),
    ).toThrow(expect.objectContaining({ code: 'too_short' }));
  });
});
