import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const SAFE_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is a safe token (so a proxy's id
 * carries through), a fresh UUID otherwise. The id is echoed in the response and in logs.
 */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
