import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every session/bearer token, so leaked tokens are easy to recognise and scan for. */
export const TOKEN_PREFIX = 'vms_';

/** A new token: 256 random bits, base64url. Shown to the client once; only its hash is stored. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a token. Lookups go by this hash through a unique index: an attacker timing the
 * lookup learns about hashes of guesses, not about stored tokens, so no secret comparison is
 * made in application code.
 */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
