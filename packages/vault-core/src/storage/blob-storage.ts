import type { Readable } from 'node:stream';

/**
 * Blob storage port. Contract, for every adapter:
 * - Keys are produced by `storageKey()` only (`t/<tenant>/<kind>/<id>`); an adapter rejects any
 *   other key with `InvalidStorageKeyError` before touching the backend.
 * - `put` is atomic: a reader sees the old object, the whole new object, or none; never a part.
 *   A failed or aborted upload leaves nothing under the key.
 * - `get` of a missing key throws `NotFoundError`; `delete` of a missing key succeeds.
 * - `list` yields only keys under a tenant prefix `t/<tenant>/`, never across tenants.
 * - Adapters store opaque bytes: callers encrypt before `put` (see `ObjectStore`), so a backend
 *   (disk, bucket, backup) only ever holds ciphertext.
 */
export interface BlobStorage {
  /** Stores a body under `key`, replacing any previous one. Returns the stored byte count. */
  put(key: string, body: Readable | Uint8Array): Promise<{ size: number }>;
  /** Streams the bytes stored under `key`. */
  get(key: string): Promise<Readable>;
  /** Whether `key` exists. */
  exists(key: string): Promise<boolean>;
  /** Removes `key`; succeeds if it is already gone. */
  delete(key: string): Promise<void>;
  /** Keys under a tenant prefix. */
  list(prefix: string): AsyncIterable<string>;
  /**
   * Removes what interrupted writes left behind (a crash during `put`) that is older than
   * `before`, and returns how many pieces went. Optional: backends whose uploads are atomic by
   * themselves have nothing to sweep.
   */
  sweepIncomplete?(before: Date): Promise<number>;
}
