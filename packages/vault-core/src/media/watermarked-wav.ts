import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { wavLayout } from '@vaultmark/analysis';
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

/**
 * Samples embedded per step when streaming a range: small at first, so the first bytes leave
 * quickly (time to first byte), then larger steps (about 0.75 s at 44.1 kHz) for throughput.
 */
const FIRST_STEP = 4_096;
const STEP = 32_768;

/** The byte layout of a marked copy of `source`: 16-bit PCM WAV, RF64 beyond 4 GiB. */
export function markedWavLayout(source: Pick<SampleSource, 'sampleRate' | 'channels' | 'length'>) {
  return wavLayout({
    sampleRate: source.sampleRate,
    channelCount: source.channels,
    frames: source.length,
  });
}

/**
 * A recipient's watermarked copy as a 16-bit WAV that can be read in any byte range without
 * rendering the rest: the range is mapped to samples, widened to whole watermark frames
 * (`embedContext`), embedded by the position-deterministic streaming embedder and cut back. The
 * header and the samples' bytes come from the analysis package's WAV layout (rounded, never
 * dithered), so every range yields exactly the bytes of the whole-file rendering, and that
 * rendering is the file the audio layer's writer makes of the same samples in 16-bit PCM.
 */
export function watermarkedWav(
  source: SampleSource,
  mark: { key: WatermarkKey; payload: Uint8Array | string; strength?: number },
): MediaSource {
  const layout = markedWavLayout(source);
  const { blockAlign, size } = layout;
  const dataOffset = layout.dataOffset;
  const header = Buffer.from(layout.header.buffer, layout.header.byteOffset, dataOffset);

  async function* bytes(startByte: number, endByte: number): AsyncGenerator<Buffer> {
    if (startByte < dataOffset) yield header.subarray(startByte, Math.min(dataOffset, endByte + 1));
    if (endByte < dataOffset) return;
    const firstSample = Math.floor((Math.max(startByte, dataOffset) - dataOffset) / blockAlign);
    const lastSample = Math.floor((endByte - dataOffset) / blockAlign); // inclusive
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
        const bytes = layout.encode(marked, from - emitted, to - emitted);
        const pcm = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
        const pcmStart = dataOffset + from * blockAlign;
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
