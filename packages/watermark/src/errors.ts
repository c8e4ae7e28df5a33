/** Stable machine-readable codes of {@link WatermarkError}. */
export type WatermarkErrorCode =
  | 'invalid_key'
  | 'invalid_payload'
  | 'invalid_option'
  | 'unsupported_format'
  | 'audio_too_short'
  | 'stream_state'
  | 'native_unavailable';

/** Error thrown by every function of this package; `code` is stable across versions. */
export class WatermarkError extends Error {
  /** Stable snake_case code, safe to map to user messages or HTTP statuses. */
  readonly code: WatermarkErrorCode;

  constructor(code: WatermarkErrorCode, message: string) {
    super(message);
    this.name = 'WatermarkError';
    this.code = code;
  }
}
