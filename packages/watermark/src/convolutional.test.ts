import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xorshift } from '../test/signals.js';
import { ConvolutionalCode, codedLength, convEncode, viterbiDecode } from './convolutional.js';
import { CONV_CONSTRAINT, CONV_GENERATORS } from './params.js';

const K = CONV_CONSTRAINT;
const n = CONV_GENERATORS.length;

function withTail(bits: number[]): Uint8Array {
  return Uint8Array.from([...bits, ...new Array(K - 1).fill(0)]);
}

describe('convolutional code', () => {
  it('encodes the impulse into the generator polynomials', () => {
    const coded = convEncode(withTail([1]));
    // Output g at step i is tap (K−1−i) of generator g: read the polynomials back.
    const gens = CONV_GENERATORS.map((_, g) => {
      let v = 0;
      for (let i = 0; i < K; i++) v |= (coded[i * n + g] as number) << (K - 1 - i);
      return v;
    });
    expect(gens).toEqual([...CONV_GENERATORS]);
    expect(coded.length).toBe(codedLength(K));
  });

  it('decodes any message exactly without noise (K=15 and a small K=3 code)', () => {
    const small = new ConvolutionalCode(3, [0o7, 0o5]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 160 }),
        (msg) => {
          const info = withTail(msg);
          const soft = Float64Array.from(convEncode(info), (c) => (c ? 1 : -1));
          expect([...viterbiDecode(soft, info.length)]).toEqual([...info]);
          const info3 = Uint8Array.from([...msg, 0, 0]);
          const soft3 = Float64Array.from(small.encode(info3), (c) => (c ? 1 : -1));
          expect([...small.decode(soft3, info3.length)]).toEqual([...info3]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('matches a hand-computed K=3 (7, 5) encoding', () => {
    // Input 1,0,1,1 then tail 0,0 through the textbook rate-1/2 code g = (111, 101):
    // outputs 11 10 00 01 01 11.
    const code = new ConvolutionalCode(3, [0o7, 0o5]);
    expect([...code.encode(Uint8Array.from([1, 0, 1, 1, 0, 0]))].join('')).toBe('111000010111');
  });

  it('corrects heavy noise: 152-bit blocks at −4 dB per coded bit', () => {
    const rnd = xorshift(99);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    let failures = 0;
    for (let trial = 0; trial < 6; trial++) {
      const msg = Array.from({ length: 152 }, () => (rnd() < 0.5 ? 1 : 0));
      const info = withTail(msg);
      const sigma = Math.sqrt(1 / (2 * 10 ** (-4 / 10)));
      const soft = Float64Array.from(convEncode(info), (c) => (c ? 1 : -1) + sigma * gauss());
      if (viterbiDecode(soft, info.length).some((b, i) => b !== info[i])) failures++;
    }
    expect(failures).toBe(0);
  });
});
