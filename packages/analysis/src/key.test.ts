import { describe, expect, it } from 'vitest';
import { chordProgression } from '../test/synth.js';
import { camelotOf, estimateKey, keyName } from './key.js';

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
