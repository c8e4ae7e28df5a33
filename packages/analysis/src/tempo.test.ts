import { describe, expect, it } from 'vitest';
import { clickTrack } from '../test/synth.js';
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
