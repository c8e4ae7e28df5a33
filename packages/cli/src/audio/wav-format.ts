import { AudioIoError } from './errors.js';

/** How samples are stored in a WAV file. */
export interface SampleFormat {
  encoding: 'pcm' | 'float';
  /** 8, 16, 24 or 32 for PCM; 32 or 64 for float. */
  bitsPerSample: number;
}

/** What the header of a WAV (RIFF/WAVE or RF64) file says. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  format: SampleFormat;
  /** Byte offset of the sample data. */
  dataOffset: number;
  /** Bytes of sample data, or `undefined` when the writer did not know (streamed WAV). */
  dataBytes: number | undefined;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const UNKNOWN_SIZE = 0xffffffff;

const tag = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

/**
 * Parses the header of a WAV file from its first bytes: RIFF/WAVE and RF64 (EBU Tech 3306, sizes in
 * the `ds64` chunk), `fmt ` with PCM, IEEE float or WAVE_FORMAT_EXTENSIBLE. Returns `undefined`
 * when more bytes are needed to reach the `data` chunk; throws `AudioIoError` for anything that is
 * not a WAV we can read.
 */
export function parseWavHeader(bytes: Uint8Array): WavInfo | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = tag(bytes, 0);
  if ((riff !== 'RIFF' && riff !== 'RF64') || tag(bytes, 8) !== 'WAVE') {
    throw new AudioIoError('unsupported_format', 'not a WAV file');
  }
  let at = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes'> | undefined;
  let ds64DataBytes: number | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'data') {
      if (!fmt) throw new AudioIoError('corrupt_file', 'WAV data chunk before its fmt chunk');
      let dataBytes: number | undefined = size;
      if (riff === 'RF64' && size === UNKNOWN_SIZE) dataBytes = ds64DataBytes;
      else if (size === UNKNOWN_SIZE) dataBytes = undefined;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    if (body + size > bytes.length) return undefined;
    if (id === 'ds64') {
      if (size < 24) throw new AudioIoError('corrupt_file', 'RF64 ds64 chunk is too short');
      ds64DataBytes = Number(view.getBigUint64(body + 8, true));
    } else if (id === 'fmt ') {
      fmt = parseFmt(view, body, size);
    }
    at = body + size + (size & 1);
  }
  if (bytes.length > 1 << 20) throw new AudioIoError('corrupt_file', 'WAV file has no data chunk');
  return undefined;
}

function parseFmt(
  view: DataView,
  at: number,
  size: number,
): Omit<WavInfo, 'dataOffset' | 'dataBytes'> {
  if (size < 16) throw new AudioIoError('corrupt_file', 'WAV fmt chunk is too short');
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40)
      throw new AudioIoError('corrupt_file', 'WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
    // The sub-format GUID's first two bytes are the real format tag.
    formatTag = view.getUint16(at + 24, true);
  }
  const encoding =
    formatTag === WAVE_FORMAT_PCM
      ? 'pcm'
      : formatTag === WAVE_FORMAT_IEEE_FLOAT
        ? 'float'
        : undefined;
  if (!encoding)
    throw new AudioIoError(
      'unsupported_format',
      `WAV sample format 0x${formatTag.toString(16)} is not PCM or float`,
    );
  const valid =
    encoding === 'pcm' ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample);
  if (!valid)
    throw new AudioIoError(
      'unsupported_format',
      `${bitsPerSample}-bit ${encoding} WAV is not supported`,
    );
  if (channels < 1 || sampleRate < 1 || blockAlign !== (channels * bitsPerSample) / 8) {
    throw new AudioIoError('corrupt_file', 'WAV fmt chunk is inconsistent');
  }
  return { sampleRate, channels, format: { encoding, bitsPerSample } };
}

/**
 * Builds a WAV header for `dataBytes` of samples (`undefined`: unknown length, for streaming to a
 * pipe). It always reserves room for RF64: a 28-byte `JUNK` chunk that {@link rf64Header} turns
 * into `ds64` when the data outgrows 4 GiB, so a file can be patched in place at the end.
 */
export function wavHeader(
  info: { sampleRate: number; channels: number; format: SampleFormat },
  dataBytes: number | undefined,
): Uint8Array {
  const { sampleRate, channels, format } = info;
  const extensible = channels > 2 || format.bitsPerSample > 16;
  const fmtSize = extensible ? 40 : 16;
  const header = new Uint8Array(12 + 36 + 8 + fmtSize + 8);
  const view = new DataView(header.buffer);
  const write = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) header[at + i] = text.charCodeAt(i);
  };
  const known = dataBytes !== undefined && dataBytes + header.length - 8 <= UNKNOWN_SIZE - 1;
  write(0, 'RIFF');
  view.setUint32(4, known ? header.length - 8 + dataBytes! : UNKNOWN_SIZE, true);
  write(8, 'WAVE');
  write(12, 'JUNK');
  view.setUint32(16, 28, true);
  let at = 48;
  write(at, 'fmt ');
  view.setUint32(at + 4, fmtSize, true);
  const tagValue = format.encoding === 'float' ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  view.setUint16(at + 8, extensible ? WAVE_FORMAT_EXTENSIBLE : tagValue, true);
  view.setUint16(at + 10, channels, true);
  view.setUint32(at + 12, sampleRate, true);
  const blockAlign = (channels * format.bitsPerSample) / 8;
  view.setUint32(at + 16, sampleRate * blockAlign, true);
  view.setUint16(at + 20, blockAlign, true);
  view.setUint16(at + 22, format.bitsPerSample, true);
  if (extensible) {
    view.setUint16(at + 24, 22, true);
    view.setUint16(at + 26, format.bitsPerSample, true);
    view.setUint32(at + 28, channels <= 2 ? (channels === 1 ? 0x4 : 0x3) : 0, true);
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}.
    view.setUint16(at + 32, tagValue, true);
    header.set(
      [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
      at + 34,
    );
  }
  at += 8 + fmtSize;
  write(at, 'data');
  view.setUint32(at + 4, known ? dataBytes! : UNKNOWN_SIZE, true);
  return header;
}

/** Rewrites a header from {@link wavHeader} as RF64 with a `ds64` chunk for large data. */
export function rf64Header(
  header: Uint8Array,
  dataBytes: number,
  sampleFrames: number,
): Uint8Array {
  const out = new Uint8Array(header);
  const view = new DataView(out.buffer);
  const write = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = text.charCodeAt(i);
  };
  write(0, 'RF64');
  view.setUint32(4, UNKNOWN_SIZE, true);
  write(12, 'ds64');
  view.setBigUint64(20, BigInt(out.length - 8 + dataBytes), true);
  view.setBigUint64(28, BigInt(dataBytes), true);
  view.setBigUint64(36, BigInt(sampleFrames), true);
  view.setUint32(44, 0, true);
  view.setUint32(out.length - 4, UNKNOWN_SIZE, true);
  return out;
}
