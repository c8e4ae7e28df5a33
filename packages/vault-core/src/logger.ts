/**
 * Logger port: how vault-core reports what went wrong in work nobody waits for (a preview that
 * could not be rendered, ...), where throwing would fail more than the one item.
 *
 * Contract for callers inside vault-core: `event` is a fixed dotted name (`share.preview_failed`),
 * `fields` hold ids, counts and error codes only — never link or session tokens, passphrases,
 * keys, audio, or a person's name or address. {@link describeError} is the one way an error goes
 * into `fields`.
 */
export interface Logger {
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (tests that assert on nothing logged use their own). */
export const silentLogger: Logger = { warn() {}, error() {} };

/**
 * The default logger: one JSON object per line on `out` (stderr by default) with the time, the
 * level and the event, then its fields. A host with its own logger passes an adapter instead.
 */
export function jsonLinesLogger(
  out: { write(line: string): unknown } = process.stderr,
  now: () => Date = () => new Date(),
): Logger {
  const line = (level: string, event: string, fields?: Record<string, unknown>) => {
    out.write(`${JSON.stringify({ time: now().toISOString(), level, event, ...fields })}\n`);
  };
  return {
    warn: (event, fields) => line('warn', event, fields),
    error: (event, fields) => line('error', event, fields),
  };
}

/**
 * What of an error may be logged: its class name, domain `code` when it has one, and message (a
 * vault error's message names no secret). No stack, no `cause`, no properties a driver attached.
 */
export function describeError(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message.slice(0, 500),
  };
}
