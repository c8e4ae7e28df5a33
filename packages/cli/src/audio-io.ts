import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AudioIoError } from './audio/errors.js';
import { ffmpegDone, spawnFfmpeg } from './audio/ffmpeg.js';
import { encodeSamples, frameBytes } from './audio/samples.js';
import { rf64Header, type SampleFormat, wavHeader } from './audio/wav-format.js';
import { readWavStream } from './audio/wav-stream.js';
import type { CliIo } from './io.js';

/** Audio being read, chunk by chunk. */
export interface AudioInput {
  sampleRate: number;
  channels: number;
  /** The source's WAV sample format (for non-WAV sources, what ffmpeg decoded to). */
  format: SampleFormat;
  /** Whether the source was a WAV read natively. */
  native: boolean;
  totalSamples: number | undefined;
  chunks(): AsyncGenerator<Float32Array[]>;
}

const isWav = (head: Uint8Array) => {
  const text = String.fromCharCode(...head.subarray(0, 12));
  return (text.startsWith('RIFF') || text.startsWith('RF64')) && text.slice(8, 12) === 'WAVE';
};

/**
 * Opens an audio file (`-` for stdin). WAV (PCM 8/16/24/32-bit, float 32/64, EXTENSIBLE, RF64) is
 * read natively; anything else is decoded by an ffmpeg child process into a float WAV stream.
 */
export async function openAudioInput(path: string, io: CliIo): Promise<AudioInput> {
  const stdin = path === '-';
  let head: Uint8Array;
  let source: AsyncIterable<Uint8Array>;
  if (stdin) {
    const iterator = (io.stdin as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    head = first.done ? new Uint8Array(0) : first.value;
    source = (async function* () {
      if (head.length) yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })();
  } else {
    const handle = await open(path, 'r');
    try {
      const buffer = new Uint8Array(12);
      const { bytesRead } = await handle.read(buffer, 0, 12, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    // Opened only when read natively; ffmpeg reads other files itself.
    source = {
      [Symbol.asyncIterator]: () =>
        createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator](),
    };
  }
  if (head.length === 0) throw new AudioIoError('empty_file', `${stdin ? 'stdin' : path} is empty`);
  if (isWav(head)) {
    const wav = await readWavStream(source);
    return {
      sampleRate: wav.info.sampleRate,
      channels: wav.info.channels,
      format: wav.info.format,
      native: true,
      totalSamples: wav.totalSamples,
      chunks: wav.chunks,
    };
  }
  // Everything else goes through ffmpeg, which hands back a float WAV on a pipe.
  const child = spawnFfmpeg(
    ['-i', stdin ? 'pipe:0' : path, '-vn', '-f', 'wav', '-acodec', 'pcm_f32le', 'pipe:1'],
    io.env,
  );
  const done = ffmpegDone(child, stdin ? 'stdin' : path);
  done.catch(() => {});
  if (stdin) {
    (async () => {
      for await (const chunk of source)
        if (!child.stdin!.write(chunk)) await new Promise((r) => child.stdin!.once('drain', r));
      child.stdin!.end();
    })().catch(() => child.stdin!.destroy());
  } else child.stdin!.end();
  let wav: Awaited<ReturnType<typeof readWavStream>>;
  try {
    wav = await readWavStream(child.stdout!);
  } catch (error) {
    // ffmpeg produced no audio: its own message says why.
    try {
      await done;
    } catch (failure) {
      if (failure instanceof AudioIoError && failure.code === 'ffmpeg_failed') {
        throw new AudioIoError(
          'unsupported_format',
          `${failure.message.replace(/^[^:]*: ffmpeg: /, `${stdin ? 'stdin' : path}: not audio that ffmpeg can read: `)}`,
        );
      }
      throw failure;
    }
    throw error;
  }
  return {
    sampleRate: wav.info.sampleRate,
    channels: wav.info.channels,
    format: { encoding: 'pcm', bitsPerSample: 16 },
    native: false,
    totalSamples: undefined,
    async *chunks() {
      yield* wav.chunks();
      await done;
    },
  };
}

/** Audio being written, chunk by chunk. */
export interface AudioOutput {
  write(chunk: Float32Array[]): Promise<void>;
  /** Finishes the file (patching its header) and moves it into place. */
  close(): Promise<void>;
  /** Removes a partial output after an error. */
  abort(): Promise<void>;
}

/**
 * Opens an output (`-` for stdout). WAV keeps the given sample format; a name ending in `.flac`
 * is encoded by ffmpeg. Files are written to a temporary name beside the target and renamed on
 * `close()`, so an error never leaves a half-written file under the real name.
 */
export async function openAudioOutput(
  path: string,
  io: CliIo,
  info: { sampleRate: number; channels: number; format: SampleFormat; totalSamples?: number },
): Promise<AudioOutput> {
  const flac = extname(path).toLowerCase() === '.flac';
  const temp =
    path === '-' ? undefined : join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  let target: Writable;
  let finished: Promise<void>;
  let child: ReturnType<typeof spawnFfmpeg> | undefined;
  if (flac) {
    const bits = info.format.encoding === 'pcm' ? info.format.bitsPerSample : 24;
    const sampleFmt = bits <= 16 ? 's16' : 's32';
    child = spawnFfmpeg(
      [
        '-f',
        'wav',
        '-i',
        'pipe:0',
        '-c:a',
        'flac',
        '-sample_fmt',
        sampleFmt,
        ...(bits === 24 ? ['-bits_per_raw_sample', '24'] : []),
        '-f',
        'flac',
        '-y',
        temp ?? 'pipe:1',
      ],
      io.env,
    );
    finished = ffmpegDone(child, path);
    finished.catch(() => {});
    if (!temp) child.stdout!.pipe(io.stdout);
    target = child.stdin!;
  } else if (temp) {
    const stream = createWriteStream(temp);
    target = stream;
    finished = new Promise((resolve, reject) => {
      stream.once('close', resolve);
      stream.once('error', reject);
    });
  } else {
    target = io.stdout as Writable;
    finished = Promise.resolve();
  }
  // FLAC is fed a 16/24/32-bit PCM WAV; float sources are quantized to 24-bit for it.
  const format: SampleFormat =
    flac && info.format.encoding === 'float' ? { encoding: 'pcm', bitsPerSample: 24 } : info.format;
  const header = wavHeader(
    { ...info, format },
    flac || !temp
      ? info.totalSamples && info.totalSamples * frameBytes(format, info.channels)
      : undefined,
  );
  const width = frameBytes(format, info.channels);
  let dataBytes = 0;
  const put = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      target.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  await put(header);
  return {
    async write(chunk) {
      if ((chunk[0]?.length ?? 0) === 0) return;
      const bytes = encodeSamples(chunk, format);
      dataBytes += bytes.length;
      await put(bytes);
    },
    async close() {
      await new Promise<void>((resolve) =>
        target === io.stdout ? resolve() : target.end(resolve),
      );
      await finished;
      if (temp && !flac) {
        // Patch the sizes now that they are known (RF64 past 4 GiB).
        const handle = await open(temp, 'r+');
        try {
          const final =
            dataBytes + header.length - 8 > 0xfffffffe
              ? rf64Header(header, dataBytes, dataBytes / width)
              : wavHeader({ ...info, format }, dataBytes);
          await handle.write(final, 0, final.length, 0);
        } finally {
          await handle.close();
        }
      }
      if (temp) await rename(temp, path);
    },
    async abort() {
      target.destroy();
      child?.kill();
      if (temp) await rm(temp, { force: true });
    },
  };
}
