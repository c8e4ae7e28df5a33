import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError, statusFor } from '../http-error.js';

/**
 * Turns every thrown error into `{ error: { code, message } }` with the mapped status. Messages of
 * domain and HTTP errors are shown; anything unexpected becomes a 500 `internal_error` whose
 * details go only to the log (with the request id), never to the client.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', 'no such resource');
      }
    } catch (error) {
      // ENOSPC: the data directory's disk (upload spools, local blobs) is full.
      const full = (error as { code?: unknown } | null)?.code === 'ENOSPC';
      const status = full ? 507 : statusFor(error);
      // 503: a dependency (the database) is unreachable for now; a known state, worth a retry.
      const unavailable = status === 503 && !(error instanceof HttpError);
      const known = status < 500 || unavailable || error instanceof HttpError;
      const code = full ? 'storage_full' : known ? codeOf(error, status) : 'internal_error';
      const message = full
        ? 'the server has no space left to store this'
        : known
          ? String((error as Error).message || code)
          : `internal error (request ${ctx.state.requestId})`;
      if (full) logger.error({ err: error, requestId: ctx.state.requestId }, 'disk full');
      if (!known && !full)
        logger.error({ err: error, requestId: ctx.state.requestId }, 'unhandled error');
      if (unavailable) {
        logger.warn({ err: error, requestId: ctx.state.requestId }, 'service unavailable');
        ctx.set('Retry-After', '2');
      }
      if (error instanceof HttpError) ctx.set(error.headers);
      // Domain throttles (share passwords, investigations per hour) say how long to wait.
      const retryAfter = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
      if (status === 429 && typeof retryAfter === 'number' && Number.isFinite(retryAfter)) {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
      }
      ctx.status = status;
      ctx.body = { error: { code, message } };
    }
  };
}

function codeOf(error: unknown, status: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code)) return code;
  return status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'invalid_input';
}
