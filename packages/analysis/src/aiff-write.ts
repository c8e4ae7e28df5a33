import type { SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';

/** Length of the header written by {@link aiffHeader}. */
export const AIFF_HEADER_BYTES = 54;

/**
 * Builds the fixed-size header of an AIFF file (`FORM`/`AIFF`, `COMM`, `SSND`) for `dataBytes` of
 * big-endian PCM, so a streaming writer can write it first and rewrite it once the size is known.
 * AIFF holds integer PCM only (floats need AIFF-C).
 */
export function aiffHeader(
  format: SampleFormat,
  channelCount: number,
  sampleRate: number,
  dataBytes: number,
): Uint8Array {
  if (format.encoding !== 'pcm') {
    throw new AnalysisError('invalid_argument', 'AIFF holds integer PCM only');
  }
  const out = new Uint8Array(AIFF_HEADER_BYTES);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const frames = Math.floor(dataBytes / (channelCount * (format.bitsPerSample >> 3)));
  put(0, 'FORM');
  v.setUint32(4, Math.min(0xffffffff, AIFF_HEADER_BYTES - 8 + dataBytes + (dataBytes & 1)));
  put(8, 'AIFF');
  put(12, 'COMM');
  v.setUint32(16, 18);
  v.setUint16(20, channelCount);
  v.setUint32(22, Math.min(0xffffffff, frames));
  v.setUint16(26, format.bitsPerSample);
  writeExtended(v, 28, sampleRate);
  put(38, 'SSND');
  v.setUint32(42, Math.min(0xffffffff, 8 + dataBytes));
  v.setUint32(46, 0); // offset
  v.setUint32(50, 0); // block size
  return out;
}

/** A positive integer sample rate as an IEEE 754 80-bit extended float (big-endian). */
function writeExtended(v: DataView, at: number, value: number): void {
  const exp = Math.floor(Math.log2(value));
  const mant = value / 2 ** exp; // in [1, 2)
  const hi = Math.floor(mant * 2 ** 31);
  const lo = Math.round((mant * 2 ** 31 - hi) * 2 ** 32);
  v.setUint16(at, 16383 + exp);
  v.setUint32(at + 2, hi);
  v.setUint32(at + 6, lo);
}

/**
 * Turns little-endian WAV-layout PCM (as `encodeFrames` writes it, 8-bit unsigned) into AIFF's
 * big-endian, signed layout in place.
 */
export function toBigEndianPcm(bytes: Uint8Array, bitsPerSample: number): void {
  const n = bytes.length;
  if (bitsPerSample === 8) {
    for (let i = 0; i < n; i++) bytes[i] = bytes[i]! ^ 0x80;
  } else if (bitsPerSample === 16) {
    for (let i = 0; i < n; i += 2) {
      const a = bytes[i]!;
      bytes[i] = bytes[i + 1]!;
      bytes[i + 1] = a;
    }
  } else if (bitsPerSample === 24) {
    for (let i = 0; i < n; i += 3) {
      const a = bytes[i]!;
      bytes[i] = bytes[i + 2]!;
      bytes[i + 2] = a;
    }
  } else {
    for (let i = 0; i < n; i += 4) {
      const a = bytes[i]!;
      const b = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  }
}
