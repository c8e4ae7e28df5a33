import { crc24Bits } from './crc24.js';
import { WatermarkError } from './errors.js';
import { toHex } from './key.js';
import { CONV_CONSTRAINT, CRC_BITS, PAYLOAD_BITS } from './params.js';

/** Normalizes a payload given as bytes or hex into bytes; checks its size. */
export function payloadBytes(payload: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof payload === 'string') {
    const hex = payload.trim().replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
      throw new WatermarkError('invalid_payload', 'payload must be an even-length hex string');
    }
    bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    }
  } else if (payload instanceof Uint8Array) {
    bytes = payload;
  } else {
    throw new WatermarkError('invalid_payload', 'payload must be a Uint8Array or a hex string');
  }
  checkPayloadBits(bytes.length * 8);
  return bytes;
}

/** Throws unless `bits` is a supported payload size. */
export function checkPayloadBits(bits: number): void {
  if (!(PAYLOAD_BITS as readonly number[]).includes(bits)) {
    throw new WatermarkError(
      'invalid_payload',
      `payload must be ${PAYLOAD_BITS.join(', ')} bits, got ${bits}`,
    );
  }
}

/** Number of information bits fed to the convolutional encoder: payload + CRC + zero tail. */
export function infoBits(payloadBits: number): number {
  return payloadBits + CRC_BITS + CONV_CONSTRAINT - 1;
}

/**
 * Builds the information block: payload bits (MSB first), CRC-24 of the payload bits, each XORed
 * with the keyed whitening bits, then the zero tail that terminates the convolutional code.
 */
export function buildInfoBlock(bytes: Uint8Array, whitening: Uint8Array): Uint8Array {
  const p = bytes.length * 8;
  const out = new Uint8Array(infoBits(p));
  for (let i = 0; i < p; i++) out[i] = ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1;
  const crc = crc24Bits(out, p);
  for (let i = 0; i < CRC_BITS; i++) out[p + i] = (crc >> (CRC_BITS - 1 - i)) & 1;
  for (let i = 0; i < p + CRC_BITS; i++) out[i] = (out[i] as number) ^ (whitening[i] as number);
  return out;
}

/**
 * Inverse of {@link buildInfoBlock}: removes the whitening and checks the CRC. Returns the payload
 * as lowercase hex, or `undefined` when the CRC does not match.
 */
export function checkInfoBlock(
  info: Uint8Array,
  payloadBits: number,
  whitening: Uint8Array,
): string | undefined {
  const bits = new Uint8Array(payloadBits + CRC_BITS);
  for (let i = 0; i < bits.length; i++) bits[i] = (info[i] as number) ^ (whitening[i] as number);
  const crc = crc24Bits(bits, payloadBits);
  let got = 0;
  for (let i = 0; i < CRC_BITS; i++) got = (got << 1) | (bits[payloadBits + i] as number);
  if (got !== crc) return undefined;
  const bytes = new Uint8Array(payloadBits / 8);
  for (let i = 0; i < payloadBits; i++) {
    bytes[i >> 3] = (bytes[i >> 3] as number) | ((bits[i] as number) << (7 - (i & 7)));
  }
  return toHex(bytes);
}
