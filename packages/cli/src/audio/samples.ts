import type { SampleFormat } from './wav-format.js';

/** Bytes per interleaved sample frame. */
export function frameBytes(format: SampleFormat, channels: number): number {
  return (format.bitsPerSample / 8) * channels;
}

/**
 * Decodes `frames` interleaved sample frames from `bytes` into one Float32Array per channel, in
 * [−1, 1) for PCM (8-bit unsigned, 16/24/32-bit signed little-endian) or as stored for float.
 */
export function decodeSamples(
  bytes: Uint8Array,
  format: SampleFormat,
  channels: number,
): Float32Array[] {
  const frames = Math.floor(bytes.length / frameBytes(format, channels));
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = format.bitsPerSample / 8;
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (format.encoding === 'float')
        v = width === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
      else if (width === 2) v = view.getInt16(at, true) / 32768;
      else if (width === 3)
        v = (((bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) << 8) >> 8) / 8388608;
      else if (width === 4) v = view.getInt32(at, true) / 2147483648;
      else v = (bytes[at]! - 128) / 128;
      out[c]![i] = v;
      at += width;
    }
  }
  return out;
}

/**
 * Encodes one Float32Array per channel as interleaved bytes. PCM is rounded to the nearest step
 * and clamped to the format's range (deterministic: the same samples always give the same bytes).
 */
export function encodeSamples(channels: Float32Array[], format: SampleFormat): Uint8Array {
  const n = channels.length;
  const frames = channels[0]?.length ?? 0;
  const width = format.bitsPerSample / 8;
  const bytes = new Uint8Array(frames * n * width);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const pcm = (v: number, scale: number) =>
    Math.min(scale - 1, Math.max(-scale, Math.round(v * scale)));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++) {
      const v = channels[c]![i]!;
      if (format.encoding === 'float') {
        if (width === 4) view.setFloat32(at, v, true);
        else view.setFloat64(at, v, true);
      } else if (width === 2) view.setInt16(at, pcm(v, 32768), true);
      else if (width === 3) {
        const s = pcm(v, 8388608);
        bytes[at] = s & 0xff;
        bytes[at + 1] = (s >> 8) & 0xff;
        bytes[at + 2] = (s >> 16) & 0xff;
      } else if (width === 4) view.setInt32(at, pcm(v, 2147483648), true);
      else bytes[at] = pcm(v, 128) + 128;
      at += width;
    }
  }
  return bytes;
}
