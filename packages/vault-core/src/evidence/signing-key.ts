import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { type Actor, authorize } from '../policies.js';

/** An organization's evidence signing key as published (never its private half). */
export interface SigningPublicKey {
  /** Key id, named in every bundle the key signs. */
  keyId: string;
  algorithm: 'Ed25519';
  /** SubjectPublicKeyInfo PEM, what `openssl pkey -pubin` and `node:crypto` read. */
  publicKeyPem: string;
  /** SHA-256 of the raw 32-byte public key, hex: read it out to whoever checks a bundle. */
  fingerprint: string;
  createdAt: Date;
}

/** The signing key with its private half, for use inside vault-core only. */
export interface OrganizationSigningKey extends SigningPublicKey {
  privateKey: KeyObject;
}

// The KEK binds the wrapped seed to its tenant and key id (a row moved elsewhere will not unwrap).
export const keyContext = (tenantId: string, keyId: string) => ({
  tenantId,
  objectId: `signing-key/${keyId}`,
});

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** The raw 32-byte Ed25519 public key of a key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) {
    throw new TypeError('not an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url');
}

/** SHA-256 of a raw public key, hex (the key's fingerprint). */
export function publicKeyFingerprint(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

function publicKeyOf(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/** The public half of a `signing_keys` row. */
// biome-ignore lint/suspicious/noExplicitAny: database row
export function publicKeyOfRow(row: any): SigningPublicKey {
  const raw = Buffer.from(row.public_key);
  return {
    keyId: row.id,
    algorithm: 'Ed25519',
    publicKeyPem: String(publicKeyOf(raw).export({ format: 'pem', type: 'spki' })),
    fingerprint: publicKeyFingerprint(raw),
    createdAt: new Date(row.created_at),
  };
}

/**
 * The organization's signing key inside the caller's tenant transaction, created (and audited,
 * `signing_key.create`) on first use. Concurrent first uses are serialised by locking the
 * organization row; the unique index allows one key per organization whatever happens.
 */
export async function organizationSigningKey(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
  actor: Pick<Actor, 'tenantId' | 'ipHash'> & { userId: string | null },
  at: Date,
): Promise<OrganizationSigningKey> {
  let row = await tx('signing_keys').first();
  if (!row) {
    await tx('organizations').where({ id: actor.tenantId }).forUpdate().first('id');
    row = await tx('signing_keys').first();
  }
  if (!row) {
    const id = randomUUID();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    // The private key is its 32-byte seed (RFC 8032 §5.1.5), exactly what the KEK wraps.
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
    const { wrapped, keyId } = await deps.keys.wrap(seed, keyContext(actor.tenantId, id));
    seed.fill(0);
    row = {
      id,
      tenant_id: actor.tenantId,
      algorithm: 'Ed25519',
      public_key: rawPublicKey(publicKey),
      seed_wrapped: Buffer.from(wrapped),
      kek_id: keyId,
      created_by: actor.userId,
      created_at: at,
    };
    await tx('signing_keys').insert(row);
    await appendActorAudit(tx, at, actor, {
      action: 'signing_key.create',
      objectType: 'signing_key',
      objectId: id,
      detail: { fingerprint: publicKeyFingerprint(row.public_key) },
    });
  }
  const seed = Buffer.from(
    await deps.keys.unwrap(row.seed_wrapped, keyContext(row.tenant_id, row.id), row.kek_id),
  );
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seed), x: b64url(row.public_key) },
    format: 'jwk',
  });
  seed.fill(0);
  return { ...publicKeyOfRow(row), privateKey };
}

/**
 * The organization's evidence signing public key, to publish (admins and owners; created on
 * first use). Anyone holding it can check a bundle offline with `vaultmark evidence verify`.
 */
export async function getSigningPublicKey(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
): Promise<SigningPublicKey> {
  // Publishing the key that vouches for the audit anchor is part of verifying the audit trail.
  authorize(actor, 'audit', 'verify');
  const at = deps.clock.now();
  const key = await withTenant(deps.db, actor.tenantId, (tx) =>
    organizationSigningKey(deps, tx, actor, at),
  );
  const { privateKey: _secret, ...pub } = key;
  return pub;
}
