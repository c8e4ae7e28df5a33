import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../errors.js';

/**
 * Chunked AES-256-GCM, after the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár,
 * "Online authenticated-encryption and its nonce-reuse misuse-resistance", CRYPTO 2015).
 *
 * Layout: header `"VMK1" | chunkSize u32 BE | noncePrefix(7)` then chunks, each
 * `ciphertext(<= chunkSize) | tag(16)`. Chunk i uses nonce `noncePrefix | i (u32 BE) | last (1
 * byte: 1 for the final chunk, else 0)` and the header plus object id as AAD. So nonces never
 * repeat under one data key, reordering fails (index in the nonce), truncation fails (the last
 * chunk must carry the final flag; an empty plaintext is one empty final chunk) and swapping the
 * ciphertext of another object fails (object id in the AAD). Each object has its own random key.
 */
export const ENVELOPE_MAGIC = Buffer.from('VMK1', 'ascii');
/** Default plaintext bytes per chunk (64 KiB). */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const HEADER = 4 + 4 + 7;
const TAG = 16;

function nonceFor(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, 7);
  n[11] = last ? 1 : 0;
  return n;
}

/** Encrypting transform: plaintext in, envelope out. */
export function createEncryptStream(
  dataKey: Uint8Array,
  aadContext: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Transform {
  const prefix = randomBytes(7);
  const header = Buffer.alloc(HEADER);
  ENVELOPE_MAGIC.copy(header, 0);
  header.writeUInt32BE(chunkSize, 4);
  prefix.copy(header, 8);
  const aad = Buffer.concat([header, Buffer.from(aadContext, 'utf8')]);
  let pending = Buffer.alloc(0);
  let index = 0;
  const seal = (plain: Buffer, last: boolean): Buffer => {
    if (index > 0xffffffff) throw new RangeError('object too large for one envelope');
    const c = createCipheriv('aes-256-gcm', dataKey, nonceFor(prefix, index++, last));
    c.setAAD(aad);
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  };
  return new Transform({
    construct(cb) {
      this.push(header);
      cb();
    },
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
      // Keep at least one byte back so the final chunk is always sealed in flush().
      while (pending.length > chunkSize) {
        this.push(seal(pending.subarray(0, chunkSize), false));
        pending = pending.subarray(chunkSize);
      }
      cb();
    },
    flush(cb) {
      this.push(seal(pending, true));
      cb();
    },
  });
}

/** Decrypting transform: envelope in, plaintext out; errors with {@link IntegrityError}. */
export function createDecryptStream(dataKey: Uint8Array, aadContext: string): Transform {
  let buf = Buffer.alloc(0);
  let aad: Buffer | undefined;
  let prefix: Buffer | undefined;
  let sealed = 0;
  let index = 0;
  let done = false;
  const open = (frame: Buffer, last: boolean): Buffer => {
    if (!prefix || !aad) throw new IntegrityError();
    const d = createDecipheriv('aes-256-gcm', dataKey, nonceFor(prefix, index++, last));
    d.setAAD(aad);
    d.setAuthTag(frame.subarray(frame.length - TAG));
    try {
      return Buffer.concat([d.update(frame.subarray(0, frame.length - TAG)), d.final()]);
    } catch {
      throw new IntegrityError(last ? 'envelope truncated or tampered' : 'envelope tampered');
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
        if (!aad) {
          if (buf.length < HEADER) return cb();
          const header = buf.subarray(0, HEADER);
          if (!header.subarray(0, 4).equals(ENVELOPE_MAGIC))
            throw new IntegrityError('not an envelope');
          sealed = header.readUInt32BE(4) + TAG;
          if (sealed <= TAG || sealed > 64 * 1024 * 1024)
            throw new IntegrityError('bad chunk size');
          prefix = Buffer.from(header.subarray(8, 15));
          aad = Buffer.concat([header, Buffer.from(aadContext, 'utf8')]);
          buf = buf.subarray(HEADER);
        }
        // A full frame followed by more bytes cannot be the last one.
        while (buf.length > sealed) {
          if (done) throw new IntegrityError('data after final chunk');
          this.push(open(buf.subarray(0, sealed), false));
          buf = buf.subarray(sealed);
        }
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        if (!aad || buf.length < TAG) throw new IntegrityError('envelope truncated');
        this.push(open(buf, true));
        done = true;
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/** Generates a fresh 256-bit data key. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}
