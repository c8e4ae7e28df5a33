import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createDecryptStream, newDataKey } from '../crypto/envelope.js';
import { type EncryptionContext, type KeyWrapper, LocalKek } from '../crypto/key-wrapper.js';
import type { VaultDeps } from '../deps.js';
import { IntegrityError, ObjectErasedError } from '../errors.js';
import { sealBlob } from '../objects/object-store.js';
import { storageKey } from '../storage/storage-key.js';

/*
 * The key hierarchy of a recording session:
 *
 *   KEK or KMS key ──wraps──▶ session key     context (organization, session)
 *   session key    ──wraps──▶ track data key  context (organization, track, session)
 *                              ({@link SessionKeyWrapper})
 *   track data key ──seals──▶ the track's blob (chunked AES-256-GCM envelope)
 *   session key    ──HKDF──▶  transcript key  (per track)
 *
 * Destroying the one wrapped session key makes every track key and transcript of the session
 * unrecoverable, whatever copies of rows and blobs exist: crypto-erasure of a whole recording.
 */

/** The encryption context of a session key: the organization and the session. */
export function sessionKeyContext(tenantId: string, sessionId: string): EncryptionContext {
  return { tenantId, objectId: sessionId, sessionId };
}

/**
 * The vault's key port as this module uses it: `wrap` answers the wrapped bytes (a single KEK)
 * or the bytes with the id of the key that wrapped them (a key ring); both shapes are accepted.
 */
interface VaultKeys {
  wrap(
    dataKey: Uint8Array,
    context: EncryptionContext,
  ): Promise<Uint8Array | { wrapped: Uint8Array; keyId: string }>;
  unwrap(wrapped: Uint8Array, context: EncryptionContext, keyId: string): Promise<Uint8Array>;
  readonly keyId?: string;
}

/** A fresh session key and its wrapped form (by the deployment's KEK or KMS). */
export async function newSessionKey(
  deps: { keys: VaultKeys },
  tenantId: string,
  sessionId: string,
): Promise<{ key: Buffer; wrapped: Uint8Array; kekId: string }> {
  const key = newDataKey();
  const r = await deps.keys.wrap(key, sessionKeyContext(tenantId, sessionId));
  if (r instanceof Uint8Array) return { key, wrapped: r, kekId: String(deps.keys.keyId) };
  return { key, wrapped: r.wrapped, kekId: r.keyId };
}

/** The session key of a `recording_sessions` row; `object_erased` once the recording is deleted. */
export async function openSessionKey(
  deps: { keys: VaultKeys },
  // biome-ignore lint/suspicious/noExplicitAny: database row
  row: any,
): Promise<Buffer> {
  if (!row?.wrapped_key) throw new ObjectErasedError();
  const key = await deps.keys.unwrap(
    row.wrapped_key,
    sessionKeyContext(row.tenant_id, row.id),
    row.kek_id,
  );
  return Buffer.from(key);
}

/**
 * A {@link KeyWrapper} whose key-encryption key is a session key: it wraps each track's data key
 * (AES-256-GCM, the same construction as the local KEK) with the session id added to the
 * context. Handing it to the object store in place of the deployment's KEK seals and opens
 * session tracks with the ordinary envelope code.
 */
export class SessionKeyWrapper implements KeyWrapper {
  readonly keyId: string;
  readonly #inner: LocalKek;
  constructor(
    sessionKey: Uint8Array,
    private readonly sessionId: string,
  ) {
    this.#inner = new LocalKek(sessionKey);
    this.keyId = `session:${sessionId}`;
  }

  wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    return this.#inner.wrap(dataKey, { ...context, sessionId: this.sessionId });
  }

  unwrap(wrapped: Uint8Array, context: EncryptionContext, keyId: string): Promise<Uint8Array> {
    if (keyId !== this.keyId) return Promise.reject(new IntegrityError('cannot unwrap data key'));
    return this.#inner.unwrap(
      wrapped,
      { ...context, sessionId: this.sessionId },
      this.#inner.keyId,
    );
  }
}

/** The transcript key of one session track: HKDF-SHA256 (RFC 5869) of the session key. */
function transcriptKey(sessionKey: Uint8Array, trackId: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', sessionKey, Buffer.from(trackId), 'vaultmark/transcript/v1', 32),
  );
}

/** Encrypts a transcript: `nonce(12) | ciphertext | tag(16)`, the track id as AAD. */
export function sealTranscript(sessionKey: Uint8Array, trackId: string, text: string): Buffer {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', transcriptKey(sessionKey, trackId), nonce);
  c.setAAD(Buffer.from(trackId));
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return Buffer.concat([nonce, ct, c.getAuthTag()]);
}

/** Decrypts a transcript sealed by {@link sealTranscript}. */
export function openTranscript(sessionKey: Uint8Array, trackId: string, sealed: Buffer): string {
  const d = createDecipheriv(
    'aes-256-gcm',
    transcriptKey(sessionKey, trackId),
    sealed.subarray(0, 12),
  );
  d.setAAD(Buffer.from(trackId));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]).toString(
      'utf8',
    );
  } catch {
    throw new IntegrityError('transcript tampered');
  }
}

/** A session track sealed under its session key, written to storage but not yet recorded. */
export interface SessionSealed {
  id: string;
  storageKey: string;
  wrappedKey: Uint8Array;
  sizeBytes: number;
  sha256: string;
}

/**
 * Encrypts a session track under a fresh data key wrapped by the session key
 * ({@link SessionKeyWrapper}) into the chunked envelope bound to the track id, and writes it to
 * blob storage. On failure nothing is left in storage.
 */
export async function sealUnderSession(
  deps: Pick<VaultDeps, 'storage'>,
  wrapper: SessionKeyWrapper,
  tenantId: string,
  body: Readable,
): Promise<SessionSealed> {
  const id = randomUUID();
  const key = storageKey(tenantId, 'rec', id);
  const sealed = await sealBlob(
    deps.storage,
    { id, storageKey: key },
    (dataKey) => wrapper.wrap(dataKey, { tenantId, objectId: id }),
    body,
  );
  return {
    id,
    storageKey: key,
    wrappedKey: sealed.wrapped,
    sizeBytes: sealed.sizeBytes,
    sha256: sealed.sha256,
  };
}

/**
 * Decrypting stream of a `recording_tracks` row under its `recording_sessions` row's key:
 * `object_erased` once the session is deleted, `integrity_error` if the blob was altered.
 */
export async function openRecordingRow(
  deps: { storage: VaultDeps['storage']; keys: VaultKeys },
  // biome-ignore lint/suspicious/noExplicitAny: database rows
  session: any,
  // biome-ignore lint/suspicious/noExplicitAny: database rows
  row: any,
): Promise<Readable> {
  const sessionKey = await openSessionKey(deps, session);
  const wrapper = new SessionKeyWrapper(sessionKey, session.id);
  sessionKey.fill(0);
  const dataKey = await wrapper.unwrap(
    row.wrapped_key,
    { tenantId: row.tenant_id, objectId: row.id },
    wrapper.keyId,
  );
  const cipher = await deps.storage.get(row.storage_key);
  const plain = cipher.pipe(createDecryptStream(dataKey, row.id));
  cipher.on('error', (e) => plain.destroy(e));
  plain.once('close', () => cipher.destroy());
  return plain;
}
