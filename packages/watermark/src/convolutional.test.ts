import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xorshift } from '../test/signals.js';
import { codedLength, convEncode, viterbiDecode } from './convolutional.js';

function withTail(bits: number[]): Uint8Array {
  return Uint8Array.from([...bits, 0, 0, 0, 0, 0, 0, 0, 0]);
}

describe('convolutional code', () => {
  it('encodes the impulse into the generator polynomials (557, 663, 711 octal)', () => {
    const coded = convEncode(withTail([1]));
    // Output g of step i is bit (8 − i) of generator g: read the three polynomials back.
    const gens = [0, 1, 2].map((g) => {
      let v = 0;
      for (let i = 0; i < 9; i++) v |= (coded[i * 3 + g] as number) << (8 - i);
      return v;
    });
    expect(gens).toEqual([0o557, 0o663, 0o711]);
    expect(coded.length).toBe(codedLength(9));
  });

  it('decodes any message exactly without noise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 200 }),
        (msg) => {
          const info = withTail(msg);
          const soft = Float64Array.from(convEncode(info), (c) => (c ? 1 : -1));
          expect([...viterbiDecode(soft, info.length)]).toEqual([...info]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('corrects heavy Gaussian noise (Es/N0 = −2 dB) on 158-bit blocks', () => {
    const rnd = xorshift(99);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    let failures = 0;
    for (let trial = 0; trial < 20; trial++) {
      const msg = Array.from({ length: 152 }, () => (rnd() < 0.5 ? 1 : 0));
      const info = withTail(msg);
      const sigma = Math.sqrt(1 / (2 * 10 ** (-2 / 10)));
      const soft = Float64Array.from(convEncode(info), (c) => (c ? 1 : -1) + sigma * gauss());
      if (viterbiDecode(soft, info.length).some((b, i) => b !== info[i])) failures++;
    }
    expect(failures).toBeLessThanOrEqual(1);
  });
});
