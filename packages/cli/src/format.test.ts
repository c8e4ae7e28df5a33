import { describe, expect, it } from 'vitest';
import { formatProbability, formatSeconds, matchedAmong } from './format.js';

describe('format', () => {
  it('never prints a probability of zero', () => {
    expect(formatProbability(3.2e-21)).toBe('3.20e-21');
    expect(formatProbability(0, -523.4)).toBe('3.98e-524');
    expect(formatProbability(0, -1177)).toBe('1.00e-1177');
    expect(formatProbability(0)).toBe('< 1e-300');
  });

  it('prints seconds without a negative zero', () => {
    expect(formatSeconds(-0.0001)).toBe('0.000');
    expect(formatSeconds(61.25)).toBe('61.250');
  });

  it('says how a mark too damaged to decode was found', () => {
    expect(matchedAmong(1000)).toBe('matched among 1000 issued payloads (too damaged to decode)');
  });
});
