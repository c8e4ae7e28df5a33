import type { AudioInput, SampleFormat } from './audio.js';
import { openAudioSink } from './audio-sink.js';
import type { FfmpegOptions } from './ffmpeg.js';
import type { Dither } from './sample-codec.js';

/** Options for {@link encodeAudioFile}. */
export interface EncodeFileOptions extends FfmpegOptions {
  /** Sample format (WAV, AIFF; FLAC uses its bit depth). Default 16-bit PCM. */
  format?: SampleFormat;
  dither?: Dither;
}

/**
 * Writes audio to `path` through {@link openAudioSink}: `.wav` and `.aif`/`.aiff` natively, any
 * other extension (`.flac`, `.mp3`, `.ogg`, `.opus`, `.m4a`, ...) by ffmpeg with its default codec
 * for that container (FLAC keeps 16 or 24 bits).
 */
export async function encodeAudioFile(
  path: string,
  audio: AudioInput,
  options: EncodeFileOptions = {},
): Promise<void> {
  const sink = await openAudioSink(path, {
    ...options,
    sampleRate: audio.sampleRate,
    channelCount: audio.channels.length,
    totalFrames: audio.channels[0]?.length ?? 0,
  });
  try {
    await sink.write(audio.channels);
    await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** A WAV file written chunk by chunk; the header is finalized by `close()`. */
export interface WavFileWriter {
  /** Appends planar frames (all channels the same length). */
  write(channels: readonly Float32Array[]): Promise<void>;
  /** Writes the final sizes into the header (RF64 past 4 GiB) and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a streaming WAV writer (an {@link openAudioSink} for a `.wav` path): it writes a
 * placeholder header, appends samples as they come and rewrites the header in place at
 * `close()`, switching to RF64 when the data passed 4 GiB.
 */
export function createWavFileWriter(
  path: string,
  spec: { sampleRate: number; channelCount: number; format?: SampleFormat; dither?: Dither },
): Promise<WavFileWriter> {
  return openAudioSink(path, spec);
}
