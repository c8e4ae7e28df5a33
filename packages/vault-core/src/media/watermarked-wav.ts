import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createEmbedder, embedContext, type WatermarkKey } from '@vaultmark/watermark';
import type { MediaSource } from './media-source.js';

/** Where the unmarked master's samples come from (decrypted and decoded by the caller). */
export interface SampleSource {
  sampleRate: number;
  channels: number;
  /** Total length in samples per channel. */
  length: number;
  /** Reads samples `[start, end)` of every channel (`end` ≤ `length`). */
  read(start: number, end: number): Promise<Float32Array[]>;
}

const HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;
/**
 * Samples embedded per step when streaming a range: small at first, so the first bytes leave
 * quickly (time to first byte), then larger steps (about 0.75 s at 44.1 kHz) for throughput.
 */
const FIRST_STEP = 4_096;
const STEP = 32_768;

/** The 44-byte RIFF/WAVE header of 16-bit PCM with `length` samples per channel. */
export function pcm16WavHeader(sampleRate: number, channels: number, length: number): Buffer {
  const blockAlign = channels * BYTES_PER_SAMPLE;
  const dataBytes = length * blockAlign;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/**
 * Interleaves and quantizes to 16-bit PCM by rounding (no dither: the bytes of a sample must not
 * depend on which range request produced them).
 */
function toPcm16(channels: Float32Array[], from: number, to: number): Buffer {
  const n = channels.length;
  const out = Buffer.alloc((to - from) * n * BYTES_PER_SAMPLE);
  let o = 0;
  for (let i = from; i < to; i++) {
    for (let c = 0; c < n; c++) {
      const v = Math.round((channels[c]![i] ?? 0) * 32767);
      out.writeInt16LE(Math.min(32767, Math.max(-32768, v)), o);
      o += 2;
    }
  }
  return out;
}

/**
 * A recipient's watermarked copy as a 16-bit WAV that can be read in any byte range without
 * rendering the rest: the range is mapped to samples, widened to whole watermark frames
 * (`embedContext`), embedded by the position-deterministic streaming embedder and cut back. Every
 * range therefore yields exactly the bytes of the whole-file rendering.
 */
export function watermarkedWav(
  source: SampleSource,
  mark: { key: WatermarkKey; payload: Uint8Array | string; strength?: number },
): MediaSource {
  const blockAlign = source.channels * BYTES_PER_SAMPLE;
  const header = pcm16WavHeader(source.sampleRate, source.channels, source.length);
  const size = HEADER_BYTES + source.length * blockAlign;

  async function* bytes(startByte: number, endByte: number): AsyncGenerator<Buffer> {
    if (startByte < HEADER_BYTES)
      yield header.subarray(startByte, Math.min(HEADER_BYTES, endByte + 1));
    if (endByte < HEADER_BYTES) return;
    const firstSample = Math.floor((Math.max(startByte, HEADER_BYTES) - HEADER_BYTES) / blockAlign);
    const lastSample = Math.floor((endByte - HEADER_BYTES) / blockAlign); // inclusive
    const context = embedContext(source.sampleRate, firstSample, lastSample + 1);
    const contextEnd = Math.min(context.end, source.length);
    const embedder = createEmbedder({
      ...mark,
      sampleRate: source.sampleRate,
      channels: source.channels,
      startSample: context.start,
    });
    // Absolute byte offset of the next marked sample we produce.
    let emitted = context.start;
    const emit = function* (marked: Float32Array[]): Generator<Buffer> {
      const count = marked[0]?.length ?? 0;
      const from = Math.max(firstSample, emitted);
      const to = Math.min(lastSample + 1, emitted + count);
      if (to > from) {
        const pcm = toPcm16(marked, from - emitted, to - emitted);
        const pcmStart = HEADER_BYTES + from * blockAlign;
        const cutStart = Math.max(0, startByte - pcmStart);
        const cutEnd = Math.min(pcm.length, endByte + 1 - pcmStart);
        yield pcm.subarray(cutStart, cutEnd);
      }
      emitted += count;
    };
    for (let at = context.start, step = FIRST_STEP; at < contextEnd; at += step, step = STEP) {
      const chunk = await source.read(at, Math.min(at + step, contextEnd));
      yield* emit(embedder.push(chunk));
      // Let the event loop flush the socket and serve other streams between steps.
      await nextTurn();
    }
    yield* emit(embedder.flush());
  }

  return {
    size,
    contentType: 'audio/wav',
    // One chunk of read-ahead: bytes leave as soon as each step is embedded.
    open: (start, end) => Readable.from(bytes(start, end), { highWaterMark: 1 }),
  };
}
