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

/**
 * Reads an AIFF or AIFF-C file (uncompressed: `NONE`/`twos`, little-endian `sowt`, `fl32`, `fl64`).
 * Throws `truncated_file` when the sound data is shorter than the COMM chunk declares.
 */
export function readAiff(b: Uint8Array): DecodedAudio {
  if (b.length === 0) throw new AudioDecodeError('empty_file', 'the file is empty');
  if (!looksLikeAiff(b)) throw new AudioDecodeError('unsupported_format', 'not an AIFF file');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const aifc = ascii(b, 8) === 'AIFC';
  let comm: { channels: number; frames: number; rate: number; layout: SampleLayout } | undefined;
  let ssnd: { start: number; avail: number } | undefined;
  let p = 12;
  while (p + 8 <= b.length) {
    const id = ascii(b, p);
    const size = view.getUint32(p + 4);
    const body = p + 8;
    if (id === 'COMM') {
      if (body + 18 > b.length) throw new AudioDecodeError('truncated_file', 'AIFF COMM cut short');
      const channels = view.getUint16(body);
      const frames = view.getUint32(body + 2);
      const bits = view.getUint16(body + 6);
      const rate = readExtended(view, body + 8);
      let compression = 'NONE';
      if (aifc) {
        if (body + 22 > b.length)
          throw new AudioDecodeError('truncated_file', 'AIFC COMM cut short');
        compression = ascii(b, body + 18);
      }
      const layout = aiffLayout(compression, bits);
      if (channels === 0 || !(rate > 0)) {
        throw new AudioDecodeError('corrupt_file', 'AIFF COMM has no channels or no sample rate');
      }
      comm = { channels, frames, rate, layout };
    } else if (id === 'SSND') {
      if (body + 8 > b.length) throw new AudioDecodeError('truncated_file', 'AIFF SSND cut short');
      const offset = view.getUint32(body);
      const start = body + 8 + offset;
      ssnd = { start, avail: Math.max(0, Math.min(b.length, body + size) - start) };
    }
    p = body + size + (size & 1);
  }
  if (!comm) throw new AudioDecodeError('corrupt_file', 'AIFF file without a COMM chunk');
  const frameBytes = (comm.layout.bitsPerSample / 8) * comm.channels;
  const need = comm.frames * frameBytes;
  if (comm.frames > 0 && !ssnd) throw new AudioDecodeError('truncated_file', 'AIFF without SSND');
  if (ssnd && ssnd.avail < need) {
    throw new AudioDecodeError(
      'truncated_file',
      `AIFF sound data has ${ssnd.avail} of ${need} bytes`,
    );
  }
  const channels = Array.from({ length: comm.channels }, () => new Float32Array(comm.frames));
  if (ssnd && comm.frames > 0) {
    decodeFrames(
      channels,
      0,
      new DataView(b.buffer, b.byteOffset + ssnd.start, need),
      comm.frames,
      comm.layout,
    );
  }
  return {
    sampleRate: comm.rate,
    channels,
    format: { encoding: comm.layout.encoding, bitsPerSample: comm.layout.bitsPerSample },
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
