import type { AudioInput, SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';
import { checkSampleFormat, type Dither, encodeFrames } from './sample-codec.js';

/** Options for {@link encodeWav}. */
export interface EncodeWavOptions {
  /**
   * `'none'` (default) rounds to nearest, so a decoded integer file re-encodes bit-exactly;
   * `'tpdf'` adds triangular dither of +-1 LSB from a generator seeded by `ditherSeed`.
   */
  dither?: Dither;
  ditherSeed?: number;
  /** `'auto'` (default) writes RF64 only when the data exceeds 4 GiB; `'always'` forces it. */
  rf64?: 'auto' | 'always';
}

/** The default output format: 16-bit PCM. */
export const DEFAULT_WAV_FORMAT: SampleFormat = { encoding: 'pcm', bitsPerSample: 16 };

/** Largest data chunk a plain RIFF file can declare (its 32-bit RIFF size must fit too). */
const RIFF_LIMIT = 0xffffffff - 1024;

/** Length of the header written by {@link wavHeader}. */
export const WAV_HEADER_BYTES = 116;

/**
 * Builds a fixed-size WAV header (RIFF or RF64) for `dataBytes` bytes of sample data. The layout is
 * always `RIFF/RF64 | JUNK or ds64 (28) | fmt (EXTENSIBLE, 40) | data`, so a streaming writer can
 * write a placeholder first and rewrite it in place once the size is known.
 */
export function wavHeader(
  format: SampleFormat,
  channelCount: number,
  sampleRate: number,
  dataBytes: number,
  rf64: boolean,
): Uint8Array {
  checkSampleFormat(format);
  const out = new Uint8Array(WAV_HEADER_BYTES);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const bps = format.bitsPerSample >> 3;
  const frames = Math.floor(dataBytes / (bps * channelCount));
  put(0, rf64 ? 'RF64' : 'RIFF');
  v.setUint32(4, rf64 ? 0xffffffff : WAV_HEADER_BYTES - 8 + dataBytes + (dataBytes & 1), true);
  put(8, 'WAVE');
  // ds64 (RF64) or a JUNK chunk of the same size that reserves its place.
  put(12, rf64 ? 'ds64' : 'JUNK');
  v.setUint32(16, 28, true);
  if (rf64) {
    v.setBigUint64(20, BigInt(WAV_HEADER_BYTES - 8 + dataBytes + (dataBytes & 1)), true);
    v.setBigUint64(28, BigInt(dataBytes), true);
    v.setBigUint64(36, BigInt(frames), true);
  }
  // fmt: WAVE_FORMAT_EXTENSIBLE carrying PCM (1) or IEEE float (3) in its SubFormat GUID.
  put(48, 'fmt ');
  v.setUint32(52, 40, true);
  v.setUint16(56, 0xfffe, true);
  v.setUint16(58, channelCount, true);
  v.setUint32(60, sampleRate, true);
  v.setUint32(64, sampleRate * bps * channelCount, true);
  v.setUint16(68, bps * channelCount, true);
  v.setUint16(70, format.bitsPerSample, true);
  v.setUint16(72, 22, true);
  v.setUint16(74, format.bitsPerSample, true);
  v.setUint32(76, channelMask(channelCount), true);
  // KSDATAFORMAT_SUBTYPE_xxx = {0000000x-0000-0010-8000-00AA00389B71}
  v.setUint16(80, format.encoding === 'float' ? 3 : 1, true);
  out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 82);
  put(96, 'fact');
  v.setUint32(100, 4, true);
  v.setUint32(104, Math.min(frames, 0xffffffff), true);
  put(108, 'data');
  v.setUint32(112, rf64 ? 0xffffffff : dataBytes, true);
  return out;
}

function channelMask(n: number): number {
  if (n === 1) return 0x4;
  if (n === 2) return 0x3;
  return n >= 32 ? 0 : 2 ** n - 1;
}

/** Whether `dataBytes` of samples need an RF64 container. */
export function needsRf64(dataBytes: number): boolean {
  return dataBytes > RIFF_LIMIT;
}

/**
 * Encodes planar audio as a complete WAV file in the given sample format (default 16-bit PCM),
 * RF64 when the data exceeds 4 GiB. Samples outside [-1, 1) clip at the integer range.
 */
export function encodeWav(
  audio: AudioInput,
  format: SampleFormat = DEFAULT_WAV_FORMAT,
  options: EncodeWavOptions = {},
): Uint8Array {
  const nch = audio.channels.length;
  if (nch === 0) throw new AnalysisError('invalid_argument', 'audio has no channels');
  const frames = audio.channels[0]!.length;
  const dataBytes = frames * nch * (format.bitsPerSample >> 3);
  const header = wavHeader(
    format,
    nch,
    audio.sampleRate,
    dataBytes,
    options.rf64 === 'always' || needsRf64(dataBytes),
  );
  const out = new Uint8Array(header.length + dataBytes + (dataBytes & 1));
  out.set(header, 0);
  const state = new Uint32Array([(options.ditherSeed ?? 0x9e3779b9) || 1]);
  encodeFrames(
    new DataView(out.buffer, header.length, dataBytes),
    audio.channels,
    0,
    frames,
    format,
    { kind: options.dither ?? 'none', state },
  );
  return out;
}
