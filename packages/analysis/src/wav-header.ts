import { AudioDecodeError } from './errors.js';
import { checkSampleFormat, type SampleLayout } from './sample-codec.js';

/** What a WAV header says about the sample data that follows it. */
export interface WavHeader {
  sampleRate: number;
  channelCount: number;
  layout: SampleLayout;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /**
   * Declared size of the sample data in bytes, or `undefined` when the header leaves it open
   * (a streamed WAV with size 0 or 0xFFFFFFFF): then the data runs to the end of the input.
   */
  dataBytes: number | undefined;
  /** Bytes per interleaved frame. */
  blockAlign: number;
  container: 'RIFF' | 'RF64';
}

const ascii = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Whether the bytes start like a RIFF/RF64/BW64 WAVE file. */
export function looksLikeWav(b: Uint8Array): boolean {
  if (b.length < 12) return false;
  const id = ascii(b, 0);
  return (id === 'RIFF' || id === 'RF64' || id === 'BW64') && ascii(b, 8) === 'WAVE';
}

/**
 * Parses a WAV header (RIFF, RF64/BW64 with `ds64`, WAVE_FORMAT_PCM, _IEEE_FLOAT and _EXTENSIBLE)
 * from the start of a file. Returns `null` when `b` ends before the `data` chunk starts and
 * `complete` is false (more bytes may follow); throws typed errors for anything malformed.
 */
export function parseWavHeader(b: Uint8Array, complete: boolean): WavHeader | null {
  if (b.length === 0 && complete) throw new AudioDecodeError('empty_file', 'the file is empty');
  if (b.length < 12) {
    if (!complete) return null;
    throw new AudioDecodeError('truncated_file', 'the file ends inside the WAV header');
  }
  if (!looksLikeWav(b)) {
    throw new AudioDecodeError('unsupported_format', 'not a RIFF/RF64 WAVE file');
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const container = ascii(b, 0) === 'RIFF' ? 'RIFF' : 'RF64';
  let ds64Data: number | undefined;
  let fmt: Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'container'> | undefined;
  let p = 12;
  for (;;) {
    if (p + 8 > b.length) {
      if (!complete) return null;
      throw new AudioDecodeError('truncated_file', 'the file ends before the WAV data chunk');
    }
    const id = ascii(b, p);
    const size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'data') {
      if (!fmt) throw new AudioDecodeError('corrupt_file', 'WAV data chunk before its fmt chunk');
      let dataBytes: number | undefined = size;
      if (container === 'RF64' && size === 0xffffffff) dataBytes = ds64Data;
      else if (size === 0xffffffff || size === 0) dataBytes = undefined;
      return { ...fmt, dataOffset: body, dataBytes, container };
    }
    if (body + size > b.length && (id === 'fmt ' || id === 'ds64')) {
      if (!complete) return null;
      throw new AudioDecodeError('truncated_file', `the file ends inside the WAV ${id} chunk`);
    }
    if (id === 'ds64') {
      if (size < 16) throw new AudioDecodeError('corrupt_file', 'ds64 chunk too small');
      ds64Data = Number(view.getBigUint64(body + 8, true));
    } else if (id === 'fmt ') {
      fmt = parseFmt(view, body, size);
    }
    p = body + size + (size & 1);
  }
}

function parseFmt(
  view: DataView,
  at: number,
  size: number,
): Omit<WavHeader, 'dataOffset' | 'dataBytes' | 'container'> {
  if (size < 16) throw new AudioDecodeError('corrupt_file', 'WAV fmt chunk too small');
  let tag = view.getUint16(at, true);
  const channelCount = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (tag === 0xfffe) {
    if (size < 40)
      throw new AudioDecodeError('corrupt_file', 'WAVE_FORMAT_EXTENSIBLE fmt too small');
    tag = view.getUint16(at + 24, true); // first two bytes of the SubFormat GUID
  }
  if (tag !== 1 && tag !== 3) {
    throw new AudioDecodeError('unsupported_format', `WAV codec 0x${tag.toString(16)} is not PCM`);
  }
  if (channelCount === 0 || sampleRate === 0) {
    throw new AudioDecodeError('corrupt_file', 'WAV fmt chunk has no channels or no sample rate');
  }
  const container = Math.ceil(bits / 8) * 8; // e.g. 20-bit samples stored in 24-bit slots
  const layout: SampleLayout = {
    encoding: tag === 3 ? 'float' : 'pcm',
    bitsPerSample: container,
    littleEndian: true,
    unsigned8: true,
  };
  checkSampleFormat(layout);
  if (blockAlign !== (container / 8) * channelCount) {
    throw new AudioDecodeError('corrupt_file', 'WAV block align does not match the sample format');
  }
  return { sampleRate, channelCount, layout, blockAlign };
}
