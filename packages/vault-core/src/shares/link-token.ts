import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { tokenHash } from '../crypto/access-token.js';

/** Prefix of recipient link tokens (256 bits), so leaked links are easy to scan for. */
export const LINK_TOKEN_PREFIX = 'vml_';
/** Prefix of access grants issued when a password-protected share is unlocked. */
export const GRANT_TOKEN_PREFIX = 'vmg_';

/** A new access grant token: 256 random bits, base64url; only its SHA-256 is stored. */
export function newGrantToken(): string {
  return GRANT_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What a recipient's link token is derived from: its row and the row's random nonce. */
export interface LinkTokenSeed {
  tenantId: string;
  recipientId: string;
  /** 128 random bits stored beside the token's hash (`share_recipients.token_nonce`). */
  nonce: Uint8Array;
}

/** A new per-link nonce; a new nonce is a new link (a replaced link). */
export function newLinkNonce(): Buffer {
  return randomBytes(16);
}

/**
 * The link secret, derived from the deployment's audit checkpoint secret (itself derived from
 * the first key of the KEK file, or the server secret file with a KMS), so it survives KEK
 * rotation and is the same on every server.
 */
function linkSecret(rootSecret: Uint8Array): Buffer {
  return createHmac('sha256', rootSecret).update('vaultmark/share-link-secret/v1').digest();
}

/**
 * A recipient's link token: `vml_` + base64url(HMAC-SHA256(link secret, tenant, recipient,
 * nonce)), 256 bits no one can compute without the secret. Only its SHA-256 and the nonce are
 * stored, so the same link can be computed again to re-send it, and never read from the database
 * alone.
 */
export function linkToken(rootSecret: Uint8Array, seed: LinkTokenSeed): string {
  const mac = createHmac('sha256', linkSecret(rootSecret))
    .update(`vaultmark/share-link/v1\0${seed.tenantId}\0${seed.recipientId}\0`)
    .update(seed.nonce)
    .digest();
  return LINK_TOKEN_PREFIX + mac.toString('base64url');
}

/**
 * Whether `token` is the one whose hash is stored (constant-time). False for a link made before
 * tokens were derived, or after the secret it was derived from changed.
 */
export function matchesStoredHash(token: string, storedHash: Uint8Array): boolean {
  const hash = tokenHash(token);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}
