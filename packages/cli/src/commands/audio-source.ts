import type { Readable, Writable } from 'node:stream';
import {
  AnalysisError,
  type AudioSink,
  type AudioStream,
  openAudioSink,
  openAudioStream,
  type SampleFormat,
} from '@vaultmark/analysis';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';

const ffmpegOf = (io: CliIo) => {
  const ffmpegPath = io.env.FFMPEG_PATH || io.env.VAULTMARK_FFMPEG;
  return ffmpegPath ? { ffmpegPath } : {};
};

/**
 * Opens FILE (or `-` for stdin) as a stream of planar float chunks through the analysis
 * package's audio layer: WAV/AIFF natively, anything else through ffmpeg (`FFMPEG_PATH` or
 * `VAULTMARK_FFMPEG` picks the binary, as for every other command). `reuseChunks`: the consumer
 * copies each chunk before asking for the next (flat memory).
 */
export async function openAnalysisStream(
  file: string,
  io: CliIo,
  options: { reuseChunks?: boolean } = {},
): Promise<AudioStream> {
  try {
    return await openAudioStream(file, {
      stdin: io.stdin as Readable,
      ...options,
      ...ffmpegOf(io),
    });
  } catch (error) {
    if (error instanceof AnalysisError && error.code === 'not_found') {
      throw new CliError('file_not_found', `${file}: no such file or directory`);
    }
    throw error;
  }
}

/**
 * Opens FILE (or `-` for stdout) for writing: WAV/AIFF natively, FLAC and the rest through
 * ffmpeg; written under a temporary name and moved into place by `close()`.
 */
export function openAnalysisSink(
  file: string,
  io: CliIo,
  spec: { sampleRate: number; channelCount: number; format: SampleFormat; totalFrames?: number },
): Promise<AudioSink> {
  return openAudioSink(file, { ...spec, stdout: io.stdout as Writable, ...ffmpegOf(io) });
}

/** The same stream, with each chunk's frame count reported to `onChunk` as it passes. */
export function observed(stream: AudioStream, onChunk: (frames: number) => void): AudioStream {
  return {
    ...stream,
    chunks: (async function* () {
      for await (const chunk of stream.chunks) {
        onChunk(chunk[0]?.length ?? 0);
        yield chunk;
      }
    })(),
  };
}
