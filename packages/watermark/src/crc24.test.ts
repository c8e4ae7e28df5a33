import { describe, expect, it } from 'vitest';
import { crc24Bits } from './crc24.js';

function bits(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < out.length; i++) out[i] = ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1;
  return out;
}

describe('crc24', () => {
  it('gives the published CRC-24/OpenPGP check value for "123456789"', () => {
    expect(crc24Bits(bits('123456789'))).toBe(0x21cf02);
  });

  it('detects every single-bit error', () => {
    const b = bits('vaultmark payload');
    const ref = crc24Bits(b);
    for (let i = 0; i < b.length; i++) {
      const c = b.slice();
      c[i] = (c[i] as number) ^ 1;
      expect(crc24Bits(c)).not.toBe(ref);
    }
  });
});
