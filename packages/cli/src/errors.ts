/** Exit codes of the `vaultmark` command. */
export const ExitCode = {
  /** Success, or a positive result (e.g. a watermark was found). */
  ok: 0,
  /** A negative result (e.g. no watermark found, recipient not identified). */
  negative: 1,
  /** A usage or input error. */
  error: 2,
} as const;

/** An error raised by the CLI itself, with a stable snake_case code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SYSTEM_CODES: Record<string, string> = {
  ENOENT: 'file_not_found',
  EACCES: 'permission_denied',
  EPERM: 'permission_denied',
  EISDIR: 'is_a_directory',
  ENOTDIR: 'not_a_directory',
  EEXIST: 'file_exists',
  ENOSPC: 'disk_full',
  EPIPE: 'broken_pipe',
};

/**
 * Reduces any thrown value to a stable `code` and a one-line message.
 * Typed errors of the Vaultmark packages carry a snake_case `code`; Node system errors
 * (`ENOENT`, ...) are mapped to readable codes; anything else is an `internal_error`.
 */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const raw = (error as { code?: unknown }).code;
    const message = oneLine(error.message);
    if (typeof raw === 'string' && /^[a-z][a-z0-9_]*$/.test(raw)) return { code: raw, message };
    if (typeof raw === 'string' && /^E[A-Z]+$/.test(raw)) {
      const path = (error as { path?: unknown }).path;
      const where = typeof path === 'string' ? `${path}: ` : '';
      return {
        code: SYSTEM_CODES[raw] ?? 'io_error',
        message: `${where}${systemMessage(raw, message)}`,
      };
    }
    return { code: 'internal_error', message };
  }
  return { code: 'internal_error', message: oneLine(String(error)) };
}

function systemMessage(code: string, fallback: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return fallback;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
