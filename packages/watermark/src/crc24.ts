import { CRC_BITS, CRC_INIT, CRC_POLY } from './params.js';

/** CRC-24 (RFC 4880 polynomial and initial value) over a bit array (one bit per element, MSB first). */
export function crc24Bits(bits: Uint8Array, length = bits.length): number {
  let crc = CRC_INIT;
  const top = 1 << (CRC_BITS - 1);
  const mask = (1 << CRC_BITS) - 1;
  for (let i = 0; i < length; i++) {
    const inBit = (bits[i] as number) & 1;
    const fb = (crc & top ? 1 : 0) ^ inBit;
    crc = (crc << 1) & mask;
    if (fb) crc ^= CRC_POLY;
  }
  return crc;
}
