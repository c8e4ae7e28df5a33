import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { IntegrityError } from '../errors.js';

/** What a wrapped data key is bound to; unwrapping under any other context fails. */
export interface EncryptionContext {
  /** Tenant (organization) id. */
  tenantId: string;
  /** Object id. */
  objectId: string;
  /**
   * Recording session id, when the key belongs to a recording session (its session key, or a
   * track key wrapped under it): binds the wrapped key to the session as well.
   */
  sessionId?: string;
}

/**
 * Key-management port: wraps and unwraps data keys under a key-encryption key (KEK) with an
 * encryption context. Implementations: {@link LocalKek} (a key file, the embedded default);
 * a cloud KMS adapter implements the same two calls, passing the context as the KMS
 * encryption context.
 */
export interface KeyWrapper {
  /** Identifier of the KEK new keys are wrapped with (recorded beside each wrapped key). */
  readonly keyId: string;
  /** Wraps a 32-byte data key. */
  wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
  /** Unwraps; throws {@link IntegrityError} when the context, key id or bytes do not match. */
  unwrap(wrapped: Uint8Array, context: EncryptionContext, keyId: string): Promise<Uint8Array>;
}

/**
 * Additional authenticated data binding a wrapped key to its tenant and object (and session,
 * when given). A context with a session uses its own prefix, so it can never equal one without.
 */
export function contextAad(context: EncryptionContext): Buffer {
  const base = `\0${context.tenantId}\0${context.objectId}`;
  return Buffer.from(
    context.sessionId === undefined
      ? `vaultmark/dek/v1${base}`
      : `vaultmark/dek/v1+session${base}\0${context.sessionId}`,
    'utf8',
  );
}

/**
 * A KEK held in memory (loaded from a file for the embedded default). Wrapping is AES-256-GCM
 * with a random 96-bit nonce and the encryption context as AAD: `nonce(12) | ciphertext(32) |
 * tag(16)`. The key id is a hash prefix of the key, so a wrong KEK file is detected by id.
 */
export class LocalKek implements KeyWrapper {
  readonly keyId: string;
  readonly #kek: Buffer;
  constructor(kek: Uint8Array) {
    if (kek.length !== 32) throw new RangeError('a KEK is 32 bytes');
    this.#kek = Buffer.from(kek);
    this.keyId = `local:${createHash('sha256').update('vaultmark/kek-id').update(this.#kek).digest('hex').slice(0, 16)}`;
  }

  /** Loads the KEK file at `path`, creating it (mode 0600, 32 random bytes, hex) if absent. */
  static fromFile(path: string): LocalKek {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createOnce(path, `${randomBytes(32).toString('hex')}\n`);
    }
    chmodSync(path, 0o600);
    const hex = readFileSync(path, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError('KEK file must hold 64 hex digits');
    return new LocalKek(Buffer.from(hex, 'hex'));
  }

  /** A secret derived from the KEK for another purpose (audit checkpoint signing, IP HMAC). */
  deriveSecret(purpose: string): Buffer {
    return createHash('sha256')
      .update('vaultmark/derive\0')
      .update(purpose)
      .update('\0')
      .update(this.#kek)
      .digest();
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#kek, nonce);
    cipher.setAAD(contextAad(context));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([nonce, ct, cipher.getAuthTag()]);
  }

  async unwrap(
    wrapped: Uint8Array,
    context: EncryptionContext,
    keyId: string,
  ): Promise<Uint8Array> {
    if (keyId !== this.keyId || wrapped.length !== 12 + 32 + 16)
      throw new IntegrityError('cannot unwrap data key');
    const buf = Buffer.from(wrapped);
    const decipher = createDecipheriv('aes-256-gcm', this.#kek, buf.subarray(0, 12));
    decipher.setAAD(contextAad(context));
    decipher.setAuthTag(buf.subarray(44));
    try {
      return Buffer.concat([decipher.update(buf.subarray(12, 44)), decipher.final()]);
    } catch {
      throw new IntegrityError('cannot unwrap data key');
    }
  }
}

/**
 * Creates `path` with `content` (mode 0600) unless it exists, atomically: the complete file is
 * written under a temporary name and hard-linked into place, which fails if another process (a
 * server started at the same moment on a shared volume) created it first; that one is then used.
 * No reader ever sees a half-written key, and two processes never end up with different keys.
 */
function createOnce(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file system without hard links: exclusive creation, the next best thing.
    if (code !== 'EEXIST') writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  } finally {
    rmSync(tmp, { force: true });
  }
}
