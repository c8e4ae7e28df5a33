import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { readAiff } from './aiff-read.js';
import type { DecodedAudio } from './audio.js';
import { AudioDecodeError } from './errors.js';
import { type FfmpegOptions, runFfmpeg } from './ffmpeg.js';
import { readWav, sniffContainer } from './wav-read.js';
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
    const kind = sniffContainer(bytes.head);
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
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AudioDecodeError(
      missing ? 'not_found' : 'unsupported_format',
      `cannot open ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
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
 * sample rate and channel count known before the first chunk. WAV is parsed natively from a file
 * stream; everything else is decoded by ffmpeg as it is read, so memory stays bounded by the chunk
 * size. AIFF from a file is read whole and then chunked. Call `close()` to stop early.
 */
export async function openAudioStream(
  path: string,
  options: DecodeOptions = {},
): Promise<AudioStream> {
  const chunkFrames = options.chunkFrames ?? DEFAULT_CHUNK_FRAMES;
  if (path === '-') return openStdin(options.stdin ?? process.stdin, options);
  const { head } = await readHead(path);
  const kind = sniffContainer(head);
  if (kind === 'wav') {
    const file = createReadStream(path, { highWaterMark: 1 << 18 });
    try {
      return await wavStreamFrom(file, { chunkFrames, close: () => file.destroy() });
    } catch (err) {
      file.destroy();
      if (!(err instanceof AudioDecodeError) || err.code !== 'unsupported_format') throw err;
    }
  } else if (kind === 'aiff') {
    return chunked(readAiff(await readFile(path)), chunkFrames);
  }
  return ffmpegStream(['-i', `file:${path}`], undefined, options);
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
  if (sniffContainer(head) === 'wav') {
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
    return await wavStreamFrom(run.stdout, {
      chunkFrames: options.chunkFrames,
      close: run.kill,
      onEnd: () => run.exited,
    });
  } catch (err) {
    run.kill();
    // A failed ffmpeg explains itself better than the empty stream it left behind.
    await run.exited;
    throw err;
  }
}

function chunked(audio: DecodedAudio, chunkFrames: number): AudioStream {
  const n = audio.channels[0]?.length ?? 0;
  return {
    sampleRate: audio.sampleRate,
    channelCount: audio.channels.length,
    format: audio.format,
    chunks: (async function* () {
      for (let at = 0; at < n; at += chunkFrames) {
        yield audio.channels.map((c) => c.subarray(at, Math.min(n, at + chunkFrames)));
      }
    })(),
    close: () => {},
  };
}
