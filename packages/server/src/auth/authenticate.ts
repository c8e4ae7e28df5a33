import type { Middleware, ParameterizedContext } from 'koa';
import { HttpError } from '../http-error.js';
import type { Caller, SessionResolver } from './caller.js';
import type { CsrfTokens } from './csrf.js';
import { readSessionCookie } from './session-cookie.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from `Authorization: Bearer <token>` or the session cookie and stores it in
 * `ctx.state.caller`. Cookie-authenticated writes must carry the session's CSRF token in
 * `X-CSRF-Token` and, when the browser sends `Origin`, come from this site's own origin.
 */
export function authenticate(
  sessions: SessionResolver,
  csrf: CsrfTokens,
  options: { publicOrigin: string },
): (ctx: ParameterizedContext) => Promise<void> {
  return async (ctx) => {
    const header = ctx.get('Authorization');
    let caller: Caller | undefined;
    if (header) {
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{16,512})$/.exec(header);
      const resolved = match ? await sessions.resolve(match[1]!) : undefined;
      if (!resolved) throw new HttpError(401, 'unauthenticated', 'invalid or expired token');
      caller = { ...resolved, via: 'bearer' };
    } else {
      const token = readSessionCookie(ctx);
      const resolved = token ? await sessions.resolve(token) : undefined;
      if (!resolved) throw new HttpError(401, 'unauthenticated', 'sign in first');
      caller = { ...resolved, via: 'cookie' };
      if (!SAFE_METHODS.has(ctx.method)) {
        const origin = ctx.get('Origin');
        const own = `${ctx.protocol}://${ctx.host}`;
        if (origin && origin !== options.publicOrigin && origin !== own) {
          throw new HttpError(403, 'csrf_failed', 'cross-site request refused');
        }
        if (!csrf.verify(caller.sessionId, ctx.get('X-CSRF-Token') || undefined)) {
          throw new HttpError(403, 'csrf_failed', 'missing or invalid CSRF token');
        }
      }
    }
    ctx.state.caller = caller;
  };
}

/** The same as a middleware, for routes outside the declared API (pages). */
export function requireCaller(check: (ctx: ParameterizedContext) => Promise<void>): Middleware {
  return async (ctx, next) => {
    await check(ctx);
    await next();
  };
}
