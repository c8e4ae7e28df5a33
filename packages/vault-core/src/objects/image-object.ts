import { Readable } from 'node:stream';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Actor } from '../policies.js';
import {
  decryptObjectRow,
  discardSealed,
  eraseObjectKey,
  type ObjectKind,
  recordObject,
  sealObject,
} from './object-store.js';

/** An image ready to send. */
export interface StoredImage {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg' | 'image/webp';
}

/** The image type of `bytes` from its signature (PNG, JPEG or WebP), else `null`. */
export function imageType(bytes: Buffer): StoredImage['contentType'] | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) {
    return 'image/png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'image/webp';
  }
  return null;
}

/**
 * Checks an uploaded image: present, at most `maxBytes`, a PNG, JPEG or WebP by its signature.
 * `noun` starts the messages (`artwork`, `the logo`); `field` names the input.
 */
export function checkImage(
  image: Buffer,
  limit: { maxBytes: number; label: string },
  noun: string,
  field: string,
): StoredImage['contentType'] {
  if (!Buffer.isBuffer(image) || image.length === 0) {
    throw new ValidationError('an image is required', field);
  }
  if (image.length > limit.maxBytes) {
    throw new ValidationError(`${noun} must be at most ${limit.label}`, field);
  }
  const contentType = imageType(image);
  if (!contentType) throw new ValidationError(`${noun} must be a PNG, JPEG or WebP image`, field);
  return contentType;
}

/**
 * Stores `image` encrypted as a new object of `kind`, and in one tenant transaction lets `swap`
 * point its owner at it (and audit); `swap` returns the object it replaces, which is
 * crypto-erased and its blob deleted. The sealed blob is discarded if anything fails.
 */
export async function replaceImageObject(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  kind: ObjectKind,
  image: Buffer,
  swap: (tx: Tx, now: Date, objectId: string) => Promise<string | null>,
): Promise<void> {
  const sealed = await sealObject(deps, actor.tenantId, Readable.from([image]));
  let erased: string | null = null;
  try {
    await withTenant(deps.db, actor.tenantId, async (tx) => {
      const now = deps.clock.now();
      await recordObject(tx, now, actor, kind, sealed);
      const previous = await swap(tx, now, sealed.id);
      if (previous) erased = await eraseObjectKey(tx, previous, now);
    });
  } catch (e) {
    await discardSealed(deps, sealed);
    throw e;
  }
  if (erased) await deps.storage.delete(erased).catch(() => undefined);
}

/** Decrypts an image object's row (`not_found` as `what` when there is none or it was erased). */
export async function readImageObject(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  row: any,
  what: string,
): Promise<StoredImage> {
  if (!row?.wrapped_key) throw new NotFoundError(what);
  const parts: Buffer[] = [];
  for await (const part of await decryptObjectRow(deps, row)) parts.push(part as Buffer);
  const bytes = Buffer.concat(parts);
  const contentType = imageType(bytes);
  if (!contentType) throw new NotFoundError(what);
  return { bytes, contentType };
}
