import type { FileHandle } from 'node:fs/promises';
import { AudioDecodeError } from './errors.js';
import { decodeFrames } from './sample-codec.js';
import type { WavHeader } from './wav-header.js';
import type { AudioStream } from './wav-stream.js';

/**
 * Where the samples of an uncompressed file lie and how they are stored: a WAV header's fields
 * (an AIFF header maps onto them), `dataBytes` undefined running to the end of the file.
 */
export type PcmDataSpec = Pick<
  WavHeader,
  'sampleRate' | 'channelCount' | 'layout' | 'dataOffset' | 'dataBytes' | 'blockAlign'
> & { container: 'wav' | 'aiff' };

/**
 * Streams the sample data of an open WAV or AIFF file with positional reads of whole chunks
 * into two reused buffers: the next chunk is read (on libuv's thread pool) while the current one
 * is decoded and consumed, and nothing is concatenated or copied on the way. Memory is two raw
 * chunks plus the decoded chunk the consumer holds (with `reuseChunks`, one set of arrays that
 * every chunk overwrites, for consumers that are done with a chunk when they ask for the next). A file shorter than its header declares ends
 * with `truncated_file` after the frames that are present. The handle is closed at the end.
 */
export function pcmFileStream(
  handle: FileHandle,
  fileSize: number,
  spec: PcmDataSpec,
  chunkFrames: number,
  reuseChunks = false,
): AudioStream {
  const { blockAlign, channelCount, layout } = spec;
  const available = Math.max(0, fileSize - spec.dataOffset);
  const declared = spec.dataBytes ?? available;
  const usable = Math.min(declared, available);
  const totalFrames = Math.floor(usable / blockAlign);
  const chunkBytes = chunkFrames * blockAlign;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    void handle.close().catch(() => {});
  };
  async function* chunks(): AsyncGenerator<Float32Array[]> {
    const buffers = [new Uint8Array(chunkBytes), new Uint8Array(chunkBytes)];
    let reused: Float32Array[] | undefined;
    const read = (which: number, frame: number) => {
      const bytes = Math.min(chunkFrames, totalFrames - frame) * blockAlign;
      return bytes <= 0
        ? Promise.resolve(0)
        : readFully(handle, buffers[which]!, bytes, spec.dataOffset + frame * blockAlign);
    };
    let pending = read(0, 0);
    try {
      let frame = 0;
      let which = 0;
      while (frame < totalFrames) {
        const got = await pending;
        const frames = Math.floor(got / blockAlign);
        if (frames === 0) break;
        // Read ahead into the other buffer while this one is decoded and consumed.
        pending = read(1 - which, frame + frames);
        if (reuseChunks && !reused) {
          reused = Array.from({ length: channelCount }, () => new Float32Array(chunkFrames));
        }
        const out = reused
          ? reused.map((ch) => ch.subarray(0, frames))
          : Array.from({ length: channelCount }, () => new Float32Array(frames));
        const raw = buffers[which]!;
        decodeFrames(out, 0, new DataView(raw.buffer, raw.byteOffset, got), frames, layout);
        frame += frames;
        which = 1 - which;
        yield out;
      }
      await pending;
      if (declared > available) {
        throw new AudioDecodeError(
          'truncated_file',
          `the ${spec.dataBytes === undefined ? '' : 'declared '}sample data ends ${declared - available} bytes early`,
        );
      }
    } finally {
      pending.catch(() => {});
      close();
    }
  }
  return {
    sampleRate: spec.sampleRate,
    channelCount,
    format: { encoding: layout.encoding, bitsPerSample: layout.bitsPerSample },
    container: spec.container,
    totalFrames,
    chunks: chunks(),
    close,
  };
}

async function readFully(
  handle: FileHandle,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
