/** Stable codes of audio input/output errors. */
export type AudioIoErrorCode =
  | 'unsupported_format'
  | 'corrupt_file'
  | 'truncated_file'
  | 'empty_file'
  | 'ffmpeg_missing'
  | 'ffmpeg_failed';

/** An audio file could not be read or written. */
export class AudioIoError extends Error {
  override readonly name = 'AudioIoError';
  constructor(
    readonly code: AudioIoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
