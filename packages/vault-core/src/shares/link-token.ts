import { randomBytes } from 'node:crypto';

/** Prefix of recipient link tokens (256 random bits), so leaked links are easy to scan for. */
export const LINK_TOKEN_PREFIX = 'vml_';
/** Prefix of access grants issued when a password-protected share is unlocked. */
export const GRANT_TOKEN_PREFIX = 'vmg_';

/** A new recipient link token: 256 random bits, base64url; only its SHA-256 is stored. */
export function newLinkToken(): string {
  return LINK_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** A new access grant token: 256 random bits, base64url; only its SHA-256 is stored. */
export function newGrantToken(): string {
  return GRANT_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}
