import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { aiffHeader, toBigEndianPcm } from './aiff-write.js';
import type { SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';
import { type FfmpegOptions, type FfmpegRun, runFfmpeg } from './ffmpeg.js';
import { checkSampleFormat, type Dither, encodeFrames } from './sample-codec.js';
import { DEFAULT_WAV_FORMAT, needsRf64, WAV_HEADER_BYTES, wavHeader } from './wav-write.js';

/** What {@link openAudioSink} writes. */
export interface AudioSinkSpec extends FfmpegOptions {
  sampleRate: number;
  channelCount: number;
  /** Sample format of a WAV or AIFF (FLAC keeps 16 or 24 bits of it). Default 16-bit PCM. */
  format?: SampleFormat;
  dither?: Dither;
  /** Frames that will be written, when known: a WAV on a pipe then declares its real size. */
  totalFrames?: number;
  /** Where `-` writes (a WAV stream); default `process.stdout`. */
  stdout?: Writable;
}

/** Audio being written chunk by chunk. */
export interface AudioSink {
  /** Appends planar frames (every channel the same length). */
  write(channels: readonly Float32Array[]): Promise<void>;
  /** Finishes the file (final sizes in its header) and moves it into place. */
  close(): Promise<void>;
  /** Stops, removing any partial file. Safe after a failed write. */
  abort(): Promise<void>;
}

/** Bytes gathered before one sequential write (large writes, few system calls). */
const WRITE_BYTES = 512 << 10;

/**
 * Opens an audio output. `.wav` (and `-`, standard output) is written natively, `.aif`/`.aiff`
 * natively as big-endian PCM, any other extension (`.flac`, `.mp3`, `.ogg`, ...) by ffmpeg fed a
 * WAV stream on a pipe. Samples are encoded into 512 KiB buffers written sequentially while the
 * next buffer fills, so the producer and the disk overlap. Files go to a temporary name beside
 * the target and are renamed by `close()`: an error never leaves a half-written file in place.
 */
export async function openAudioSink(path: string, spec: AudioSinkSpec): Promise<AudioSink> {
  const requested = spec.format ?? DEFAULT_WAV_FORMAT;
  checkSampleFormat(requested);
  const nch = spec.channelCount;
  if (nch < 1) throw new AnalysisError('invalid_argument', 'no channels');
  const ext = path === '-' ? '.wav' : extname(path).toLowerCase();
  const container =
    ext === '.wav' || ext === '.wave'
      ? 'wav'
      : ext === '.aif' || ext === '.aiff'
        ? 'aiff'
        : 'ffmpeg';
  // FLAC takes 16 or 24 bits; other ffmpeg encoders get 32-bit float; AIFF is written as PCM.
  const format: SampleFormat =
    container === 'wav'
      ? requested
      : container === 'aiff'
        ? requested.encoding === 'float'
          ? { encoding: 'pcm', bitsPerSample: 24 }
          : requested
        : ext === '.flac'
          ? {
              encoding: 'pcm',
              bitsPerSample:
                requested.encoding === 'pcm' && requested.bitsPerSample <= 16 ? 16 : 24,
            }
          : { encoding: 'float', bitsPerSample: 32 };
  const frameBytes = nch * (format.bitsPerSample >> 3);
  // The temporary name keeps the extension, from which ffmpeg picks the container.
  const temp =
    path === '-'
      ? undefined
      : join(dirname(path), `.${basename(path)}.${process.pid}.partial${ext}`);
  const knownBytes = spec.totalFrames === undefined ? undefined : spec.totalFrames * frameBytes;

  // Where the bytes go: a file (positional writes, header patched at the end) or a stream.
  let run: FfmpegRun | undefined;
  let stream: Writable | undefined;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  if (container === 'ffmpeg') {
    const codec =
      ext === '.flac'
        ? ['-c:a', 'flac', '-sample_fmt', format.bitsPerSample === 16 ? 's16' : 's32']
        : [];
    if (ext === '.flac' && format.bitsPerSample === 24) codec.push('-bits_per_raw_sample', '24');
    run = runFfmpeg(['-f', 'wav', '-i', 'pipe:0', ...codec, '-y', `file:${temp}`], spec);
    stream = run.child.stdin!;
    run.stdout.resume();
  } else if (temp) {
    handle = await open(temp, 'w');
  } else {
    stream = spec.stdout ?? process.stdout;
  }
  const header = (dataBytes: number | undefined): Uint8Array => {
    if (container === 'aiff') return aiffHeader(format, nch, spec.sampleRate, dataBytes ?? 0);
    const bytes = dataBytes ?? 0;
    const out = wavHeader(format, nch, spec.sampleRate, bytes, needsRf64(bytes));
    if (dataBytes === undefined) {
      // Length unknown on a pipe: the conventional "to the end of the stream" sizes.
      const view = new DataView(out.buffer);
      view.setUint32(4, 0xffffffff, true);
      view.setUint32(WAV_HEADER_BYTES - 4, 0xffffffff, true);
    }
    return out;
  };

  let written = 0; // bytes of sample data handed to the output
  let position = 0; // file offset of the next write
  let inFlight: Promise<void> = Promise.resolve();
  let failed: unknown;
  const emit = (bytes: Uint8Array): Promise<void> => {
    if (handle) {
      const at = position;
      position += bytes.length;
      return writeFully(handle, bytes, at);
    }
    return new Promise((resolve, reject) => {
      stream!.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  };
  // Two buffers: one fills while the other is being written.
  let buffer: Uint8Array = new Uint8Array(
    Math.max(WRITE_BYTES - (WRITE_BYTES % frameBytes), frameBytes),
  );
  let spare: Uint8Array | undefined = new Uint8Array(buffer.length);
  let used = 0;
  const flush = async () => {
    if (used === 0) return;
    await inFlight;
    if (failed) throw failed;
    const full = buffer.subarray(0, used);
    const previous = buffer;
    inFlight = emit(full).then(
      () => {
        spare = previous;
      },
      (error: unknown) => {
        failed = error;
      },
    );
    buffer = spare ?? new Uint8Array(previous.length);
    spare = undefined;
    used = 0;
  };
  const first = header(container === 'wav' && handle ? 0 : knownBytes);
  buffer.set(first, 0);
  used = first.length;
  const state = new Uint32Array([0x9e3779b9]);
  let closed = false;

  const abort = async () => {
    closed = true;
    run?.kill();
    stream?.destroy();
    await inFlight.catch(() => {});
    await handle?.close().catch(() => {});
    if (temp) await rm(temp, { force: true });
  };
  return {
    async write(channels) {
      if (closed) throw new AnalysisError('invalid_argument', 'write() after close()');
      if (channels.length !== nch) {
        throw new AnalysisError('invalid_argument', 'channel count differs from the sink');
      }
      const frames = channels[0]!.length;
      for (let done = 0; done < frames; ) {
        const room = Math.floor((buffer.length - used) / frameBytes);
        if (room === 0) {
          await flush();
          continue;
        }
        const n = Math.min(room, frames - done);
        const out = buffer.subarray(used, used + n * frameBytes);
        encodeFrames(
          new DataView(out.buffer, out.byteOffset, out.length),
          channels,
          done,
          n,
          format,
          {
            kind: spec.dither ?? 'none',
            state,
          },
        );
        if (container === 'aiff') toBigEndianPcm(out, format.bitsPerSample);
        used += out.length;
        written += out.length;
        done += n;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await flush();
        await inFlight;
        if (failed) throw failed;
        if (handle) {
          if (written & 1) await writeFully(handle, new Uint8Array(1), position);
          await writeFully(handle, header(written), 0);
          await handle.close();
          handle = undefined;
        } else if (run) {
          await new Promise<void>((resolve) => stream!.end(resolve));
          await run.exited;
        }
        if (temp) await rename(temp, path);
      } catch (error) {
        await abort();
        throw error;
      }
    },
    abort,
  };
}

async function writeFully(
  handle: Awaited<ReturnType<typeof open>>,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
