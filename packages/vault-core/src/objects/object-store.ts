import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { appendActorAudit } from '../audit/audit-log.js';
import { createDecryptStream, createEncryptStream, newDataKey } from '../crypto/envelope.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ObjectErasedError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { storageKey } from '../storage/storage-key.js';

/** Metadata of a stored object (never its key material). */
export interface StoredObject {
  id: string;
  kind: string;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
}

/** Storage kinds: master uploads, derived files (peaks, stems, watermarked renditions), exports. */
export type ObjectKind = 'master' | 'derived' | 'export' | 'upload' | 'artwork' | 'logo';

/** An encrypted blob written to storage but not yet recorded in the database. */
export interface SealedObject {
  id: string;
  tenantId: string;
  storageKey: string;
  kekId: string;
  wrappedKey: Uint8Array;
  sizeBytes: number;
  sha256: string;
}

/**
 * Encrypts a plaintext stream under a fresh data key and writes it to blob storage, outside any
 * transaction (an upload must not hold a database transaction open). The data key is wrapped by
 * the KEK with the context (tenant id, object id) and the envelope is bound to the object id.
 * Record it with {@link recordObject} in the transaction that uses it; if that transaction
 * fails, call {@link discardSealed}. A crash in between leaves a blob without a key (unreadable),
 * which the purge job removes.
 */
export async function sealObject(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  tenantId: string,
  body: Readable,
): Promise<SealedObject> {
  const id = randomUUID();
  const key = storageKey(tenantId, 'obj', id);
  const sealed = await sealBlob(
    deps.storage,
    { id, storageKey: key },
    (dataKey) => deps.keys.wrap(dataKey, { tenantId, objectId: id }),
    body,
  );
  return {
    id,
    tenantId,
    storageKey: key,
    kekId: sealed.wrapped.keyId,
    wrappedKey: sealed.wrapped.wrapped,
    sizeBytes: sealed.sizeBytes,
    sha256: sealed.sha256,
  };
}

/**
 * The one sealing routine: encrypts `body` under a fresh data key into the chunked envelope bound
 * to `place.id` and writes it to storage at `place.storageKey`, hashing the plaintext (SHA-256)
 * and counting its bytes on the way. `wrap` wraps the data key (by the KEK or KMS for an object,
 * by a session key for a recording track); the data key is zeroed afterwards. On failure nothing
 * is left in storage.
 */
export async function sealBlob<W>(
  storage: VaultDeps['storage'],
  place: { id: string; storageKey: string },
  wrap: (dataKey: Uint8Array) => Promise<W>,
  body: Readable,
): Promise<{ wrapped: W; sizeBytes: number; sha256: string }> {
  const dataKey = newDataKey();
  try {
    const wrapped = await wrap(dataKey);
    const sha = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _e, cb) {
        sha.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const sealed = new PassThrough();
    const writing = storage.put(place.storageKey, sealed);
    try {
      await Promise.all([
        pipeline(body, tap, createEncryptStream(dataKey, place.id), sealed),
        writing,
      ]);
    } catch (e) {
      sealed.destroy();
      await writing.catch(() => undefined);
      await storage.delete(place.storageKey);
      throw e;
    }
    return { wrapped, sizeBytes: size, sha256: sha.digest('hex') };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Records a sealed object (row with its wrapped key, and the audit event) in a tenant transaction.
 * `derivedFrom` names the object it was rendered from: erasing that one erases this one too.
 */
export async function recordObject(
  tx: Tx,
  at: Date,
  actor: Actor,
  kind: ObjectKind,
  sealed: SealedObject,
  options: { derivedFrom?: string } = {},
): Promise<StoredObject> {
  await insertObjectRow(tx, at, kind, sealed, options);
  await appendActorAudit(tx, at, actor, {
    action: 'object.write',
    objectType: 'object',
    objectId: sealed.id,
    detail: { kind, sizeBytes: sealed.sizeBytes },
  });
  return { id: sealed.id, kind, sizeBytes: sealed.sizeBytes, sha256: sealed.sha256, createdAt: at };
}

/**
 * The `objects` row of a sealed object, in the caller's tenant transaction, without an audit
 * event of its own (the caller audits: {@link recordObject} as the actor, a rendition as the
 * system).
 */
export async function insertObjectRow(
  tx: Tx,
  at: Date,
  kind: ObjectKind,
  sealed: SealedObject,
  options: { derivedFrom?: string } = {},
): Promise<void> {
  await tx('objects').insert({
    id: sealed.id,
    tenant_id: sealed.tenantId,
    kind,
    storage_key: sealed.storageKey,
    kek_id: sealed.kekId,
    wrapped_key: Buffer.from(sealed.wrappedKey),
    size_bytes: sealed.sizeBytes,
    plaintext_sha256: sealed.sha256,
    derived_from: options.derivedFrom ?? null,
    created_at: at,
  });
}

/** Removes a sealed blob whose recording transaction failed. */
export async function discardSealed(
  deps: Pick<VaultDeps, 'storage'>,
  sealed: SealedObject,
): Promise<void> {
  await deps.storage.delete(sealed.storageKey);
}

/**
 * Opens an object for reading as plaintext. Authorization, the row lookup (under RLS) and the
 * audit event happen in one tenant transaction; decryption streams afterwards and fails with
 * `integrity_error` if the stored bytes were altered, truncated or belong to another object.
 */
export async function readObject(
  deps: Pick<VaultDeps, 'db' | 'storage' | 'keys' | 'clock'>,
  actor: Actor,
  objectId: string,
): Promise<{ object: StoredObject; stream: Readable }> {
  authorize(actor, 'object', 'read');
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const r = await tx('objects').where({ id: objectId }).first();
    if (!r) return undefined;
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'object.read',
      objectType: 'object',
      objectId,
    });
    return r;
  });
  if (!row) throw new NotFoundError('object');
  return { object: toStoredObject(row), stream: await decryptObjectRow(deps, row) };
}

/**
 * Decrypting stream of an `objects` row already read (and audited) under its tenant's RLS scope.
 * Throws `object_erased` after crypto-erasure.
 */
export async function decryptObjectRow(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  row: any,
): Promise<Readable> {
  if (!row.wrapped_key) throw new ObjectErasedError();
  const objectId = row.id as string;
  const dataKey = await deps.keys.unwrap(
    row.wrapped_key,
    { tenantId: row.tenant_id, objectId },
    row.kek_id,
  );
  const cipher = await deps.storage.get(row.storage_key);
  const plain = cipher.pipe(createDecryptStream(dataKey, objectId));
  cipher.on('error', (e) => plain.destroy(e));
  // A reader that stops early (a seek reads 64 KiB, a client goes away) destroys the plaintext;
  // the ciphertext must go too, or its file descriptor or S3 socket stays open for good (the
  // S3 client has 50: the soak run starved it in a minute).
  plain.once('close', () => cipher.destroy());
  return plain;
}

/**
 * Crypto-erasure inside the caller's transaction: the wrapped data key is destroyed, so every
 * copy of the ciphertext (backups, replicas, a stolen disk) is unreadable from this commit on.
 * Objects rendered from it (marked previews) are erased with it. The blob itself is deleted
 * after commit by the caller or the purge job (the derived ones by the purge job).
 */
export async function eraseObjectKey(tx: Tx, objectId: string, at: Date): Promise<string | null> {
  const rows = await eraseObjects(tx, [objectId], at);
  return rows.find((r) => r.id === objectId)?.storage_key ?? null;
}

/**
 * Crypto-erasure of several objects and of every object derived from them, in the caller's
 * transaction. Returns the erased rows' ids and storage keys.
 */
export async function eraseObjects(
  tx: Tx,
  objectIds: string[],
  at: Date,
): Promise<Array<{ id: string; storage_key: string }>> {
  if (objectIds.length === 0) return [];
  return tx('objects')
    .whereIn('id', objectIds)
    .orWhereIn('derived_from', objectIds)
    .update({ wrapped_key: null, erased_at: at })
    .returning(['id', 'storage_key']);
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toStoredObject(r: any): StoredObject {
  return {
    id: r.id,
    kind: r.kind,
    sizeBytes: Number(r.size_bytes),
    sha256: r.plaintext_sha256,
    createdAt: new Date(r.created_at),
  };
}
