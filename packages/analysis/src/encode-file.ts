import { open, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AudioInput, SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';
import { type FfmpegOptions, runFfmpeg } from './ffmpeg.js';
import { checkSampleFormat, type Dither, encodeFrames } from './sample-codec.js';
import {
  DEFAULT_WAV_FORMAT,
  encodeWav,
  needsRf64,
  WAV_HEADER_BYTES,
  wavHeader,
} from './wav-write.js';

/** Options for {@link encodeAudioFile}. */
export interface EncodeFileOptions extends FfmpegOptions {
  /** Sample format (WAV; FLAC uses its bit depth). Default 16-bit PCM. */
  format?: SampleFormat;
  dither?: Dither;
}

/**
 * Writes audio to `path`. `.wav` is written natively; any other extension (`.flac`, `.mp3`,
 * `.ogg`, `.opus`, `.m4a`, `.aiff`, ...) is encoded by ffmpeg from a 32-bit float WAV fed on its
 * standard input, with ffmpeg's default codec for that container (FLAC keeps 16 or 24 bits).
 */
export async function encodeAudioFile(
  path: string,
  audio: AudioInput,
  options: EncodeFileOptions = {},
): Promise<void> {
  const format = options.format ?? DEFAULT_WAV_FORMAT;
  const ext = extname(path).toLowerCase();
  if (ext === '.wav' || ext === '.wave') {
    await writeFile(path, encodeWav(audio, format, { dither: options.dither }));
    return;
  }
  const args = ['-f', 'wav', '-i', 'pipe:0', '-y'];
  if (ext === '.flac') {
    if (format.encoding === 'pcm' && format.bitsPerSample <= 16) args.push('-sample_fmt', 's16');
    else args.push('-sample_fmt', 's32', '-bits_per_raw_sample', '24');
  }
  const run = runFfmpeg([...args, `file:${path}`], options);
  const wav = encodeWav(audio, { encoding: 'float', bitsPerSample: 32 });
  run.child.stdin!.end(wav);
  run.stdout.resume();
  await run.exited;
}

/** A WAV file written chunk by chunk; the header is finalized by `close()`. */
export interface WavFileWriter {
  /** Appends planar frames (all channels the same length). */
  write(channels: readonly Float32Array[]): Promise<void>;
  /** Writes the final sizes into the header (RF64 past 4 GiB) and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a streaming WAV writer. It writes a placeholder header, appends samples as they come and
 * rewrites the header in place at `close()`, switching to RF64 when the data passed 4 GiB.
 */
export async function createWavFileWriter(
  path: string,
  spec: { sampleRate: number; channelCount: number; format?: SampleFormat; dither?: Dither },
): Promise<WavFileWriter> {
  const format = spec.format ?? DEFAULT_WAV_FORMAT;
  checkSampleFormat(format);
  if (spec.channelCount < 1) throw new AnalysisError('invalid_argument', 'no channels');
  const handle = await open(path, 'w');
  await handle.write(wavHeader(format, spec.channelCount, spec.sampleRate, 0, false), 0);
  let dataBytes = 0;
  const state = new Uint32Array([0x9e3779b9]);
  const frameBytes = spec.channelCount * (format.bitsPerSample >> 3);
  return {
    async write(channels) {
      if (channels.length !== spec.channelCount) {
        throw new AnalysisError('invalid_argument', 'channel count differs from the writer');
      }
      const frames = channels[0]!.length;
      const buf = new Uint8Array(frames * frameBytes);
      encodeFrames(new DataView(buf.buffer), channels, 0, frames, format, {
        kind: spec.dither ?? 'none',
        state,
      });
      await handle.write(buf, 0, buf.length, WAV_HEADER_BYTES + dataBytes);
      dataBytes += buf.length;
    },
    async close() {
      try {
        if (dataBytes & 1)
          await handle.write(new Uint8Array(1), 0, 1, WAV_HEADER_BYTES + dataBytes);
        const header = wavHeader(
          format,
          spec.channelCount,
          spec.sampleRate,
          dataBytes,
          needsRf64(dataBytes),
        );
        await handle.write(header, 0, header.length, 0);
      } finally {
        await handle.close();
      }
    },
  };
}
