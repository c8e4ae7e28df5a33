import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseAiffHeader, readAiff } from './aiff-read.js';
import type { DecodedAudio } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { type FfmpegOptions, runFfmpeg } from './ffmpeg.js';
import { type PcmDataSpec, pcmFileStream } from './pcm-file-stream.js';
import { parseWavHeader } from './wav-header.js';
import { nativeContainer, readWav } from './wav-read.js';
import {
  type AudioStream,
  collectStream,
  DEFAULT_CHUNK_FRAMES,
  wavStreamFrom,
} from './wav-stream.js';

/** Options for {@link decodeAudioFile} and {@link openAudioStream}. */
export interface DecodeOptions extends FfmpegOptions {
  /** Frames per chunk when streaming. Default 65536. */
  chunkFrames?: number;
  /**
   * Let every chunk of a natively read file overwrite the arrays of the one before (less garbage,
   * flat memory) for consumers that are done with a chunk when they ask for the next.
   */
  reuseChunks?: boolean;
  /** Stream read for the path `-`; default `process.stdin`. */
  stdin?: Readable;
}

/**
 * Decodes a whole audio file into memory. WAV (all PCM/float layouts, EXTENSIBLE, RF64) and
 * AIFF/AIFF-C are read natively; anything else (MP3, FLAC, AAC/M4A, Ogg, Opus, ...) and WAVs with
 * compressed codecs go through an `ffmpeg` child process that delivers 32-bit float, under a time
 * limit. `path` may be `-` for standard input. For long files prefer {@link openAudioStream}.
 */
export async function decodeAudioFile(
  path: string,
  options: DecodeOptions = {},
): Promise<DecodedAudio> {
  if (path !== '-') {
    const bytes = await readHead(path);
    const kind = nativeContainer(bytes.head);
    if (kind !== 'other') {
      const all = await readFile(path);
      try {
        return kind === 'wav' ? readWav(all) : readAiff(all);
      } catch (err) {
        if (!(err instanceof AudioDecodeError) || err.code !== 'unsupported_format') throw err;
      }
    }
  }
  const stream = await openAudioStream(path, options);
  const channels = await collectStream(stream);
  return { sampleRate: stream.sampleRate, channels, format: stream.format };
}

async function readHead(path: string): Promise<{ head: Uint8Array; size: number }> {
  const handle = await openFile(path);
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new AudioDecodeError('empty_file', `${path} is empty`);
    const head = new Uint8Array(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);
    return { head, size };
  } finally {
    await handle.close();
  }
}

/**
 * Opens an audio file (or `-` for standard input) as a stream of planar float chunks, with the
 * sample rate and channel count known before the first chunk. WAV and AIFF files are read
 * natively with positional reads and read-ahead (no copies, memory bounded by the chunk size);
 * everything else is decoded by ffmpeg as it is read. Call `close()` to stop early.
 */
export async function openAudioStream(
  path: string,
  options: DecodeOptions = {},
): Promise<AudioStream> {
  const chunkFrames = options.chunkFrames ?? DEFAULT_CHUNK_FRAMES;
  if (path === '-') return openStdin(options.stdin ?? process.stdin, options);
  const handle = await openFile(path);
  let handed = false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      // A pipe or device (`<(...)`, /dev/stdin): read it as a stream, like standard input.
      handed = true;
      return openStdin(handle.createReadStream({ highWaterMark: 1 << 20 }), options);
    }
    const size = stats.size;
    if (size === 0) throw new AudioDecodeError('empty_file', `${path} is empty`);
    const spec = await readPcmSpec(handle, size);
    if (spec) {
      handed = true;
      return pcmFileStream(handle, size, spec, chunkFrames, options.reuseChunks);
    }
  } finally {
    if (!handed) await handle.close();
  }
  return ffmpegStream(['-i', `file:${path}`], undefined, options);
}

/** Largest header read while looking for the sample data of a WAV or AIFF file. */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * The sample layout of a WAV or AIFF file from its header, or `undefined` for anything ffmpeg
 * must decode (another container, or a WAV whose codec is not PCM or float).
 */
async function readPcmSpec(handle: FileHandle, size: number): Promise<PcmDataSpec | undefined> {
  let length = Math.min(size, 64 * 1024);
  for (;;) {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    const bytes = head.subarray(0, bytesRead);
    const complete = bytesRead >= size;
    const kind = nativeContainer(bytes);
    if (kind === 'other') return undefined;
    try {
      if (kind === 'wav') {
        const h = parseWavHeader(bytes, complete);
        if (h) return { ...h, container: 'wav' };
      } else {
        const h = parseAiffHeader(bytes, complete);
        if (h) {
          return {
            container: 'aiff',
            sampleRate: h.sampleRate,
            channelCount: h.channelCount,
            layout: h.layout,
            dataOffset: h.dataOffset ?? size,
            dataBytes: h.frames * h.blockAlign,
            blockAlign: h.blockAlign,
          };
        }
      }
    } catch (err) {
      if (kind === 'wav' && err instanceof AudioDecodeError && err.code === 'unsupported_format') {
        return undefined; // a compressed WAV codec: ffmpeg decodes it
      }
      throw err;
    }
    // Over a megabyte of chunks before the samples (pictures, long metadata): ffmpeg finds them.
    if (length >= MAX_HEADER_BYTES) return undefined;
    length = Math.min(size, length * 4, MAX_HEADER_BYTES);
  }
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AudioDecodeError(
      missing ? 'not_found' : 'unsupported_format',
      `cannot open ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function openStdin(input: Readable, options: DecodeOptions): Promise<AudioStream> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const first = await iterator.next();
  if (first.done || first.value.length === 0) {
    throw new AudioDecodeError('empty_file', 'standard input is empty');
  }
  const head = first.value;
  const source = (async function* () {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (nativeContainer(head) === 'wav') {
    return wavStreamFrom(source, { chunkFrames: options.chunkFrames });
  }
  return ffmpegStream(['-i', 'pipe:0'], source, options);
}

async function ffmpegStream(
  inputArgs: string[],
  feed: AsyncIterable<Uint8Array> | undefined,
  options: DecodeOptions,
): Promise<AudioStream> {
  const run = runFfmpeg([...inputArgs, '-vn', '-c:a', 'pcm_f32le', '-f', 'wav', 'pipe:1'], options);
  if (feed) {
    const stdin = run.child.stdin!;
    void (async () => {
      try {
        for await (const part of feed) {
          if (!stdin.write(part)) await new Promise((r) => stdin.once('drain', r));
          if (stdin.destroyed) return;
        }
      } catch {
        // the input failed: ffmpeg sees a short stream and reports it
      }
      stdin.end();
    })();
  } else {
    run.child.stdin!.end();
  }
  try {
    const stream = await wavStreamFrom(run.stdout, {
      chunkFrames: options.chunkFrames,
      close: run.kill,
      onEnd: () => run.exited,
    });
    return { ...stream, container: undefined };
  } catch (err) {
    run.kill();
    // A failed ffmpeg explains itself better than the empty stream it left behind.
    await run.exited;
    throw err;
  }
}
