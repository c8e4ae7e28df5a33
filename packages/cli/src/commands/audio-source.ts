import type { Readable } from 'node:stream';
import { type AudioStream, openAudioStream } from '@vaultmark/analysis';
import type { CliIo } from '../io.js';

/**
 * Opens FILE (or `-` for stdin) as a stream of planar float chunks through the analysis package:
 * WAV/AIFF natively, anything else through ffmpeg (`FFMPEG_PATH` or `VAULTMARK_FFMPEG` picks the
 * binary, as for every other command).
 */
export function openAnalysisStream(file: string, io: CliIo): Promise<AudioStream> {
  const ffmpegPath = io.env.FFMPEG_PATH || io.env.VAULTMARK_FFMPEG;
  return openAudioStream(file, {
    stdin: io.stdin as Readable,
    ...(ffmpegPath ? { ffmpegPath } : {}),
  });
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
