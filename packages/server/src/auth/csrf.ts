import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to a session: an HMAC of the session id under a server key. Pages carry the
 * token in a `<meta>` tag and scripts send it as `X-CSRF-Token`; a cross-site form cannot read
 * it, and a token from one session is useless in another.
 */
export class CsrfTokens {
  constructor(private readonly key: Uint8Array) {}

  /** The token for a session. */
  issue(sessionId: string): string {
    return createHmac('sha256', this.key).update(`csrf:${sessionId}`).digest('base64url');
  }

  /** Whether `token` is the session's token (constant-time comparison). */
  verify(sessionId: string, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.issue(sessionId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
