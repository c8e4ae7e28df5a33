import type { SampleFormat } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { decodeFrames } from './sample-codec.js';
import { parseWavHeader, type WavHeader } from './wav-header.js';

/** Audio delivered chunk by chunk; the rate, channel count and format are known up front. */
export interface AudioStream {
  sampleRate: number;
  channelCount: number;
  format: SampleFormat;
  /** The container read natively (`undefined`: decoded by ffmpeg, delivered as 32-bit float). */
  container?: 'wav' | 'aiff';
  /** Frames per channel, when the source declares them (a WAV or AIFF header). */
  totalFrames?: number;
  /** Planar chunks of at most `chunkFrames` frames each. Iterate once. */
  chunks: AsyncIterable<Float32Array[]>;
  /** Stops the underlying reader or child process early (safe to call more than once). */
  close(): void;
}

/** Default number of frames per chunk of an {@link AudioStream}. */
export const DEFAULT_CHUNK_FRAMES = 65536;

/**
 * Reads a WAV byte stream incrementally: parses the header from the first bytes, then decodes the
 * data chunk in frame-aligned pieces, never holding more than one chunk. A data chunk shorter than
 * its header declares ends the iteration with `truncated_file` after the frames that did arrive.
 */
export async function wavStreamFrom(
  source: AsyncIterable<Uint8Array>,
  options: { chunkFrames?: number; close?: () => void; onEnd?: () => Promise<void> } = {},
): Promise<AudioStream> {
  const iterator = source[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  let header: WavHeader | null = null;
  let done = false;
  while (!header) {
    const next = await iterator.next();
    done = next.done === true;
    if (!done) head = concat(head, next.value as Uint8Array);
    header = parseWavHeader(head, done);
    if (!header && done) throw new AudioDecodeError('truncated_file', 'WAV stream ended early');
  }
  if (done) await options.onEnd?.();
  const h = header;
  const chunkFrames = options.chunkFrames ?? DEFAULT_CHUNK_FRAMES;
  const chunkBytes = chunkFrames * h.blockAlign;
  let pending = head.subarray(h.dataOffset);
  let remaining = h.dataBytes ?? Number.POSITIVE_INFINITY;
  const close = options.close ?? (() => void iterator.return?.());
  async function* chunks(): AsyncGenerator<Float32Array[]> {
    try {
      for (;;) {
        while (pending.length >= chunkBytes && remaining >= chunkBytes) {
          yield decode(pending.subarray(0, chunkBytes));
          pending = pending.subarray(chunkBytes);
          remaining -= chunkBytes;
        }
        if (done || pending.length >= remaining) break;
        const next = await iterator.next();
        if (next.done) {
          done = true;
          await options.onEnd?.();
          continue;
        }
        pending = concat(pending, next.value);
      }
      const usable = Math.min(pending.length, remaining);
      const frames = Math.floor(usable / h.blockAlign);
      if (frames > 0) yield decode(pending.subarray(0, frames * h.blockAlign));
      if (Number.isFinite(remaining) && remaining > usable) {
        throw new AudioDecodeError(
          'truncated_file',
          `the WAV data ended ${remaining - usable} bytes before its declared size`,
        );
      }
    } finally {
      close();
    }
  }
  function decode(bytes: Uint8Array): Float32Array[] {
    const frames = bytes.length / h.blockAlign;
    const out = Array.from({ length: h.channelCount }, () => new Float32Array(frames));
    decodeFrames(
      out,
      0,
      new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
      frames,
      h.layout,
    );
    return out;
  }
  return {
    sampleRate: h.sampleRate,
    channelCount: h.channelCount,
    format: { encoding: h.layout.encoding, bitsPerSample: h.layout.bitsPerSample },
    container: 'wav',
    ...(h.dataBytes === undefined ? {} : { totalFrames: Math.floor(h.dataBytes / h.blockAlign) }),
    chunks: chunks(),
    close,
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Joins a stream's chunks into whole channels. */
export async function collectStream(stream: AudioStream): Promise<Float32Array[]> {
  const parts: Float32Array[][] = [];
  let total = 0;
  for await (const chunk of stream.chunks) {
    parts.push(chunk);
    total += chunk[0]?.length ?? 0;
  }
  const out = Array.from({ length: stream.channelCount }, () => new Float32Array(total));
  let at = 0;
  for (const chunk of parts) {
    for (let c = 0; c < out.length; c++) out[c]!.set(chunk[c]!, at);
    at += chunk[0]?.length ?? 0;
  }
  return out;
}
