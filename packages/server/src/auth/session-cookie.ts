import type { ParameterizedContext } from 'koa';

/**
 * The session cookie's name: with the `__Host-` prefix over TLS (the browser then insists on
 * Secure, Path=/ and no Domain, so no sibling host can plant or read it), plain otherwise.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-vaultmark_session' : 'vaultmark_session';
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over TLS, for the whole site. */
export function setSessionCookie(ctx: ParameterizedContext, token: string, maxAgeMs: number): void {
  ctx.cookies.set(sessionCookieName(ctx.secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: maxAgeMs,
    overwrite: true,
  });
}

/** Removes the session cookie. */
export function clearSessionCookie(ctx: ParameterizedContext): void {
  ctx.cookies.set(sessionCookieName(ctx.secure), '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: 0,
    overwrite: true,
  });
}

/** The session token sent by the browser, if any. */
export function readSessionCookie(ctx: ParameterizedContext): string | undefined {
  return ctx.cookies.get(sessionCookieName(ctx.secure)) || undefined;
}
