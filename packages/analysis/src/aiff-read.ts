import type { DecodedAudio } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { checkSampleFormat, decodeFrames, type SampleLayout } from './sample-codec.js';

const ascii = (b: Uint8Array, at: number) =>
  String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Whether the bytes start like an AIFF or AIFF-C file. */
export function looksLikeAiff(b: Uint8Array): boolean {
  return b.length >= 12 && ascii(b, 0) === 'FORM' && /^AIF[FC]$/.test(ascii(b, 8));
}

/** IEEE 754 80-bit extended (big-endian) as used for the AIFF sample rate. */
function readExtended(view: DataView, at: number): number {
  const se = view.getUint16(at);
  const hi = view.getUint32(at + 2);
  const lo = view.getUint32(at + 6);
  const exp = (se & 0x7fff) - 16383;
  const mant = hi * 2 ** 32 + lo;
  const v = mant * 2 ** (exp - 63);
  return se & 0x8000 ? -v : v;
}

/** What an AIFF header says about the sound data that follows it. */
export interface AiffHeader {
  sampleRate: number;
  channelCount: number;
  layout: SampleLayout;
  /** Sample frames the COMM chunk declares. */
  frames: number;
  /** Byte offset of the first sample (inside SSND), or `undefined` without sound data. */
  dataOffset: number | undefined;
  /** Bytes per interleaved frame. */
  blockAlign: number;
}

/**
 * Parses an AIFF/AIFF-C header from the start of a file: the COMM chunk and where the SSND data
 * starts (the data itself may lie beyond `b`). Returns `null` when `b` ends before both are seen
 * and `complete` is false; throws typed errors for anything malformed.
 */
export function parseAiffHeader(b: Uint8Array, complete: boolean): AiffHeader | null {
  if (b.length === 0 && complete) throw new AudioDecodeError('empty_file', 'the file is empty');
  if (b.length < 12 && !complete) return null;
  if (!looksLikeAiff(b)) throw new AudioDecodeError('unsupported_format', 'not an AIFF file');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const aifc = ascii(b, 8) === 'AIFC';
  let comm: Omit<AiffHeader, 'dataOffset'> | undefined;
  let dataOffset: number | undefined;
  let p = 12;
  while (p + 8 <= b.length) {
    const id = ascii(b, p);
    const size = view.getUint32(p + 4);
    const body = p + 8;
    if (id === 'COMM') {
      if (body + (aifc ? 22 : 18) > b.length) {
        if (!complete) return null;
        throw new AudioDecodeError('truncated_file', 'AIFF COMM cut short');
      }
      const channelCount = view.getUint16(body);
      const frames = view.getUint32(body + 2);
      const bits = view.getUint16(body + 6);
      const sampleRate = readExtended(view, body + 8);
      const layout = aiffLayout(aifc ? ascii(b, body + 18) : 'NONE', bits);
      if (channelCount === 0 || !(sampleRate > 0)) {
        throw new AudioDecodeError('corrupt_file', 'AIFF COMM has no channels or no sample rate');
      }
      const blockAlign = (layout.bitsPerSample / 8) * channelCount;
      comm = { channelCount, frames, sampleRate, layout, blockAlign };
    } else if (id === 'SSND') {
      if (body + 8 > b.length) {
        if (!complete) return null;
        throw new AudioDecodeError('truncated_file', 'AIFF SSND cut short');
      }
      dataOffset = body + 8 + view.getUint32(body);
    }
    if (comm && dataOffset !== undefined) return { ...comm, dataOffset };
    p = body + size + (size & 1);
  }
  if (!complete) return null;
  if (!comm) throw new AudioDecodeError('corrupt_file', 'AIFF file without a COMM chunk');
  if (comm.frames > 0) throw new AudioDecodeError('truncated_file', 'AIFF without SSND');
  return { ...comm, dataOffset: undefined };
}

/**
 * Reads an AIFF or AIFF-C file (uncompressed: `NONE`/`twos`, little-endian `sowt`, `fl32`, `fl64`).
 * Throws `truncated_file` when the sound data is shorter than the COMM chunk declares.
 */
export function readAiff(b: Uint8Array): DecodedAudio {
  const h = parseAiffHeader(b, true)!;
  const need = h.frames * h.blockAlign;
  const avail = h.dataOffset === undefined ? 0 : Math.max(0, b.length - h.dataOffset);
  if (avail < need) {
    throw new AudioDecodeError('truncated_file', `AIFF sound data has ${avail} of ${need} bytes`);
  }
  const channels = Array.from({ length: h.channelCount }, () => new Float32Array(h.frames));
  if (h.dataOffset !== undefined && h.frames > 0) {
    decodeFrames(
      channels,
      0,
      new DataView(b.buffer, b.byteOffset + h.dataOffset, need),
      h.frames,
      h.layout,
    );
  }
  return {
    sampleRate: h.sampleRate,
    channels,
    format: { encoding: h.layout.encoding, bitsPerSample: h.layout.bitsPerSample },
  };
}

function aiffLayout(compression: string, bits: number): SampleLayout {
  const c = compression.toLowerCase();
  let layout: SampleLayout;
  const bitsRounded = Math.ceil(bits / 8) * 8;
  if (c === 'none' || c === 'twos') {
    layout = { encoding: 'pcm', bitsPerSample: bitsRounded, littleEndian: false, unsigned8: false };
  } else if (c === 'sowt') {
    layout = { encoding: 'pcm', bitsPerSample: bitsRounded, littleEndian: true, unsigned8: false };
  } else if (c === 'fl32') {
    layout = { encoding: 'float', bitsPerSample: 32, littleEndian: false, unsigned8: false };
  } else if (c === 'fl64') {
    layout = { encoding: 'float', bitsPerSample: 64, littleEndian: false, unsigned8: false };
  } else {
    throw new AudioDecodeError(
      'unsupported_format',
      `AIFF-C compression ${compression} unsupported`,
    );
  }
  checkSampleFormat(layout);
  return layout;
}
