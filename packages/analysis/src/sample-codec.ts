import type { SampleFormat } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { nativePcm } from './native-pcm.js';

/** Below this many frames a native call costs more than it saves. */
const NATIVE_MIN_FRAMES = 256;
/** Typed-array views read in the host's byte order: the fast path below needs little-endian. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Byte order and 8-bit signedness of a stored sample layout. */
export interface SampleLayout extends SampleFormat {
  littleEndian: boolean;
  /** WAV stores 8-bit PCM unsigned (offset 128); AIFF stores it signed. */
  unsigned8: boolean;
}

/** Bytes per sample of a format. */
export function bytesPerSample(format: SampleFormat): number {
  return format.bitsPerSample >> 3;
}

/** Throws `unsupported_format` unless the format is one this package reads and writes. */
export function checkSampleFormat(format: SampleFormat): void {
  const ok =
    format.encoding === 'pcm'
      ? [8, 16, 24, 32].includes(format.bitsPerSample)
      : [32, 64].includes(format.bitsPerSample);
  if (!ok) {
    throw new AudioDecodeError(
      'unsupported_format',
      `unsupported sample format: ${format.encoding} ${format.bitsPerSample}-bit`,
    );
  }
}

/**
 * Decodes `frames` interleaved frames from `bytes` (starting at byte 0 of the view) into the planar
 * `out` arrays at `outOffset`. Integers map to floats by dividing by 2^(bits-1), so the 8/16/24-bit
 * round trip is exact; 32-bit integers keep float32's 24 significant bits.
 */
export function decodeFrames(
  out: Float32Array[],
  outOffset: number,
  bytes: DataView,
  frames: number,
  layout: SampleLayout,
): void {
  const nch = out.length;
  const bps = layout.bitsPerSample >> 3;
  const le = layout.littleEndian;
  if (frames <= 0) return;
  // Little-endian WAV layouts (8-bit only when unsigned) convert natively when available.
  const native =
    le && (bps !== 1 || layout.unsigned8) && frames >= NATIVE_MIN_FRAMES ? nativePcm() : null;
  if (native) {
    const bytesIn = new Uint8Array(bytes.buffer, bytes.byteOffset, frames * nch * bps);
    native.pcmDecode(
      bytesIn,
      layout.bitsPerSample,
      layout.encoding === 'float',
      out,
      outOffset,
      frames,
    );
    return;
  }
  // 16-bit little-endian at an even address: a typed-array view instead of a DataView per sample.
  if (
    le &&
    LITTLE_ENDIAN_HOST &&
    layout.encoding === 'pcm' &&
    bps === 2 &&
    bytes.byteOffset % 2 === 0
  ) {
    const s = new Int16Array(bytes.buffer, bytes.byteOffset, frames * nch);
    for (let c = 0; c < nch; c++) {
      const ch = out[c]!;
      for (let f = 0, i = c; f < frames; f++, i += nch) ch[outOffset + f] = s[i]! / 32768;
    }
    return;
  }
  let p = 0;
  for (let f = 0; f < frames; f++) {
    const o = outOffset + f;
    for (let c = 0; c < nch; c++) {
      let v: number;
      if (layout.encoding === 'float') {
        v = bps === 4 ? bytes.getFloat32(p, le) : bytes.getFloat64(p, le);
      } else if (bps === 2) {
        v = bytes.getInt16(p, le) / 32768;
      } else if (bps === 3) {
        const b0 = bytes.getUint8(p);
        const b1 = bytes.getUint8(p + 1);
        const b2 = bytes.getUint8(p + 2);
        const u = le ? b0 | (b1 << 8) | (b2 << 16) : b2 | (b1 << 8) | (b0 << 16);
        v = ((u << 8) >> 8) / 8388608;
      } else if (bps === 4) {
        v = bytes.getInt32(p, le) / 2147483648;
      } else {
        v = layout.unsigned8 ? (bytes.getUint8(p) - 128) / 128 : bytes.getInt8(p) / 128;
      }
      out[c]![o] = v;
      p += bps;
    }
  }
}

/** Dither applied before quantizing floats to integers. */
export type Dither = 'none' | 'tpdf';

/**
 * Encodes planar float samples as interleaved little-endian WAV samples into `out` (which must
 * hold `frames * channels * bytesPerSample` bytes). Integer output is scaled by 2^(bits-1), rounded
 * to nearest (with optional TPDF dither of +-1 LSB from a seeded generator) and clamped to the
 * integer range, so out-of-range input clips instead of wrapping. 8-bit output is unsigned.
 */
export function encodeFrames(
  out: DataView,
  channels: readonly Float32Array[],
  start: number,
  frames: number,
  format: SampleFormat,
  dither: { kind: Dither; state: Uint32Array },
): void {
  const nch = channels.length;
  const bps = format.bitsPerSample >> 3;
  const scale = 2 ** (format.bitsPerSample - 1);
  const max = scale - 1;
  const useDither = dither.kind === 'tpdf' && format.encoding === 'pcm';
  const native = !useDither && frames >= NATIVE_MIN_FRAMES ? nativePcm() : null;
  if (native) {
    const bytesOut = new Uint8Array(out.buffer, out.byteOffset, frames * nch * bps);
    native.pcmEncode(
      channels,
      start,
      frames,
      format.bitsPerSample,
      format.encoding === 'float',
      bytesOut,
    );
    return;
  }
  const st = dither.state;
  let p = 0;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c]![start + f] ?? 0;
      if (format.encoding === 'float') {
        if (bps === 4) out.setFloat32(p, x, true);
        else out.setFloat64(p, x, true);
        p += bps;
        continue;
      }
      let y = x * scale;
      if (useDither) y += xorshift(st) - xorshift(st);
      let q = Math.round(y);
      if (!(q <= max)) q = Number.isNaN(y) ? 0 : max;
      if (q < -scale) q = -scale;
      if (bps === 2) out.setInt16(p, q, true);
      else if (bps === 3) {
        out.setUint8(p, q & 0xff);
        out.setUint8(p + 1, (q >> 8) & 0xff);
        out.setUint8(p + 2, (q >> 16) & 0xff);
      } else if (bps === 4) out.setInt32(p, q, true);
      else out.setUint8(p, q + 128);
      p += bps;
    }
  }
}

/** Uniform [0, 1) from a 32-bit xorshift state (deterministic dither). */
function xorshift(s: Uint32Array): number {
  let x = s[0]!;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  s[0] = x >>> 0;
  return s[0]! / 4294967296;
}
