/** An error raised by the HTTP layer itself (not the domain), with a stable code and a status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** Whether the message may be shown to the client. */
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Domain error codes and the HTTP status each maps to. This is the only place where a domain
 * `code` becomes a status. Another tenant's resource is reported as `not_found` by the domain, so
 * it is a 404, never a 403.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_input: 400,
  validation_failed: 400,
  invalid_payload: 400,
  invalid_key: 400,
  unsupported_format: 415,
  unsupported_media_type: 415,
  corrupt_file: 422,
  truncated_file: 422,
  empty_file: 422,
  audio_too_short: 422,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  totp_required: 401,
  invalid_totp: 401,
  two_factor_required: 401,
  session_invalid: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  link_unavailable: 404,
  share_unavailable: 404,
  password_required: 401,
  method_not_allowed: 405,
  conflict: 409,
  already_exists: 409,
  email_taken: 409,
  gone: 410,
  object_erased: 410,
  invalid_storage_key: 400,
  analysis_pending: 409,
  payload_too_large: 413,
  limit_reached: 429,
  rate_limited: 429,
  not_ready: 503,
  // An organization's own KMS key is disabled or withdrawn: its data is locked until it is back.
  key_unavailable: 423,
};

/** The HTTP status for an error: its own `status` (HTTP layer), its domain code, or 500. */
export function statusFor(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in STATUS_BY_CODE) return STATUS_BY_CODE[code]!;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}
