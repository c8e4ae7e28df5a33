import { AnalysisError } from './errors.js';
import type { WaveformData } from './peaks.js';

/** Encoding choices for the audiowaveform formats. */
export interface PeaksEncoding {
  /** 8 or 16 (default 16). 8-bit values are the 16-bit values divided by 256, truncated. */
  bits?: 8 | 16;
  /** Format version: 1 (single channel only) or 2 (default; carries a channel count). */
  version?: 1 | 2;
}

function check(peaks: WaveformData, enc: PeaksEncoding): { bits: 8 | 16; version: 1 | 2 } {
  const bits = enc.bits ?? 16;
  const version = enc.version ?? 2;
  if (bits !== 8 && bits !== 16)
    throw new AnalysisError('invalid_argument', 'bits must be 8 or 16');
  if (version === 1 && peaks.channels !== 1) {
    throw new AnalysisError('invalid_argument', 'version 1 holds one channel; use version 2');
  }
  return { bits, version };
}

const scaled = (v: number, bits: 8 | 16) => (bits === 8 ? Math.trunc(v / 256) : v);

/**
 * Encodes peaks as an audiowaveform binary `.dat` file. Little-endian header: int32 version,
 * uint32 flags (bit 0 set = 8-bit), int32 sample rate, int32 samples per pixel, uint32 length,
 * and for version 2 an int32 channel count; then the min/max pairs as int8 or int16.
 */
export function encodePeaksDat(peaks: WaveformData, encoding: PeaksEncoding = {}): Uint8Array {
  const { bits, version } = check(peaks, encoding);
  const headerBytes = version === 2 ? 24 : 20;
  const out = new Uint8Array(headerBytes + peaks.data.length * (bits / 8));
  const v = new DataView(out.buffer);
  v.setInt32(0, version, true);
  v.setUint32(4, bits === 8 ? 1 : 0, true);
  v.setInt32(8, peaks.sampleRate, true);
  v.setInt32(12, peaks.samplesPerPixel, true);
  v.setUint32(16, peaks.length, true);
  if (version === 2) v.setInt32(20, peaks.channels, true);
  for (let i = 0; i < peaks.data.length; i++) {
    if (bits === 8) v.setInt8(headerBytes + i, scaled(peaks.data[i]!, 8));
    else v.setInt16(headerBytes + 2 * i, peaks.data[i]!, true);
  }
  return out;
}

/** A decoded `.dat` or JSON peaks file: the data as stored (8- or 16-bit scale). */
export interface PeaksFile extends WaveformData {
  version: 1 | 2;
  bits: 8 | 16;
}

/** Parses an audiowaveform binary `.dat` file (version 1 or 2). */
export function decodePeaksDat(bytes: Uint8Array): PeaksFile {
  if (bytes.length < 20) throw new AnalysisError('invalid_argument', 'peaks file too short');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getInt32(0, true);
  if (version !== 1 && version !== 2) {
    throw new AnalysisError('invalid_argument', `unknown peaks version ${version}`);
  }
  const bits = v.getUint32(4, true) & 1 ? 8 : 16;
  const length = v.getUint32(16, true);
  const channels = version === 2 ? v.getInt32(20, true) : 1;
  const at = version === 2 ? 24 : 20;
  const n = length * channels * 2;
  if (bytes.length < at + n * (bits / 8)) {
    throw new AnalysisError('invalid_argument', 'peaks file shorter than its header says');
  }
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++)
    data[i] = bits === 8 ? v.getInt8(at + i) : v.getInt16(at + 2 * i, true);
  return {
    version,
    bits,
    sampleRate: v.getInt32(8, true),
    samplesPerPixel: v.getInt32(12, true),
    length,
    channels,
    data,
  };
}

/**
 * Encodes peaks as audiowaveform JSON: `{"version":2,"channels":N,"sample_rate":R,
 * "samples_per_pixel":S,"bits":B,"length":L,"data":[min,max,...]}` (version 1 omits the first two
 * keys), the same key order audiowaveform writes.
 */
export function encodePeaksJson(peaks: WaveformData, encoding: PeaksEncoding = {}): string {
  const { bits, version } = check(peaks, encoding);
  const head = version === 2 ? `{"version":2,"channels":${peaks.channels},` : '{';
  const data = Array.from(peaks.data, (x) => scaled(x, bits)).join(',');
  return `${head}"sample_rate":${peaks.sampleRate},"samples_per_pixel":${peaks.samplesPerPixel},"bits":${bits},"length":${peaks.length},"data":[${data}]}\n`;
}
