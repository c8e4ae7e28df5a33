/** Stable machine-readable codes carried by {@link AnalysisError}. */
export type AnalysisErrorCode =
  | 'unsupported_format'
  | 'corrupt_file'
  | 'empty_file'
  | 'not_found'
  | 'truncated_file'
  | 'ffmpeg_missing'
  | 'ffmpeg_failed'
  | 'decode_timeout'
  | 'aborted'
  | 'invalid_argument'
  | 'too_short';

/** An error raised by the analysis package; `code` is stable and safe to branch on. */
export class AnalysisError extends Error {
  /** Stable snake_case code. */
  readonly code: AnalysisErrorCode;
  constructor(code: AnalysisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalysisError';
    this.code = code;
  }
}

/** An error raised while reading or decoding audio (a subclass of {@link AnalysisError}). */
export class AudioDecodeError extends AnalysisError {
  constructor(code: AnalysisErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AudioDecodeError';
  }
}
