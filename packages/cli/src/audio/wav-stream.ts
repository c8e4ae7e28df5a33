import { AudioIoError } from './errors.js';
import { decodeSamples, frameBytes } from './samples.js';
import { parseWavHeader, type WavInfo } from './wav-format.js';

/** Sample frames per chunk handed out by {@link readWavStream}. */
const CHUNK_FRAMES = 65_536;

/** A WAV being read as a stream: its header, then its samples chunk by chunk. */
export interface WavStream {
  info: WavInfo;
  /** Samples per channel, when the header says. */
  totalSamples: number | undefined;
  chunks(): AsyncGenerator<Float32Array[]>;
}

/**
 * Reads a WAV from a byte stream without holding more than one chunk: parses the header from the
 * first bytes, then yields decoded chunks of about 65,536 sample frames. A stream that ends before
 * the length its header declares fails with `truncated_file` (nothing is silently lost).
 */
export async function readWavStream(source: AsyncIterable<Uint8Array>): Promise<WavStream> {
  const iterator = source[Symbol.asyncIterator]();
  let buffered: Uint8Array = new Uint8Array(0);
  let info: WavInfo | undefined;
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    buffered = concat(buffered, value);
    info = parseWavHeader(buffered);
    if (info) break;
  }
  if (!info) {
    if (buffered.length === 0) throw new AudioIoError('empty_file', 'the input is empty');
    parseWavHeader(buffered); // throws when it is not a WAV at all
    throw new AudioIoError('truncated_file', 'the WAV header is incomplete');
  }
  const header = info;
  const width = frameBytes(header.format, header.channels);
  const totalSamples =
    header.dataBytes === undefined ? undefined : Math.floor(header.dataBytes / width);
  let rest = buffered.subarray(header.dataOffset);
  async function* chunks(): AsyncGenerator<Float32Array[]> {
    let remaining = header.dataBytes ?? Number.POSITIVE_INFINITY;
    const take = (bytes: Uint8Array) => bytes.subarray(0, Math.min(bytes.length, remaining));
    let pending = take(rest);
    remaining -= pending.length;
    const chunkBytes = CHUNK_FRAMES * width;
    for (;;) {
      while (pending.length >= chunkBytes) {
        yield decodeSamples(pending.subarray(0, chunkBytes), header.format, header.channels);
        pending = pending.subarray(chunkBytes);
      }
      if (remaining <= 0) break;
      const { done, value } = await iterator.next();
      if (done) break;
      const bytes = take(value);
      remaining -= bytes.length;
      pending = concat(pending, bytes);
    }
    if (header.dataBytes !== undefined && remaining > 0 && Number.isFinite(remaining)) {
      throw new AudioIoError(
        'truncated_file',
        `the WAV file ends ${remaining} bytes before the end its header declares`,
      );
    }
    const whole = pending.length - (pending.length % width);
    if (whole > 0) yield decodeSamples(pending.subarray(0, whole), header.format, header.channels);
    rest = new Uint8Array(0);
  }
  return { info: header, totalSamples, chunks };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
