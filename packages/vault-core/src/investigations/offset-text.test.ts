import { expect, it } from 'vitest';
import { offsetText } from './offset-text.js';

it('writes seconds to the millisecond, and a tiny negative offset as 0.000', () => {
  expect(offsetText(-0.0002)).toBe('0.000');
  expect(offsetText(-0)).toBe('0.000');
  expect(offsetText(0.0004)).toBe('0.000');
  expect(offsetText(61.25)).toBe('61.250');
  expect(offsetText(-0.0116)).toBe('-0.012');
});
