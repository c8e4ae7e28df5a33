import { describe, expect, it } from 'vitest';
import { brandStylesheet, contrastRatio, textOn } from './brand-stylesheet.js';

describe('brand stylesheet', () => {
  it('keeps button text at WCAG AA contrast whatever the colour', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(textOn('#4338ca')).toBe('#ffffff');
    expect(textOn('#ffd400')).toBe('#000000');
    for (let v = 0; v < 256; v += 15) {
      for (const hex of [
        `#${v.toString(16).padStart(2, '0').repeat(3)}`,
        `#ff${v.toString(16).padStart(2, '0')}00`,
      ]) {
        expect(contrastRatio(hex, textOn(hex))).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('sets the accent only for a valid colour', () => {
    expect(brandStylesheet('#ffd400')).toContain('--accent:#ffd400;--accent-fg:#000000');
    expect(brandStylesheet(null)).not.toContain('--accent');
    expect(brandStylesheet('red;}body{display:none')).not.toContain('--accent');
    expect(brandStylesheet(null)).toContain('.share-org');
  });
});
