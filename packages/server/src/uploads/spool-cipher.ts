import { createCipheriv, createHmac } from 'node:crypto';
import type { Transform } from 'node:stream';

/**
 * Upload spools (multipart bodies on their way into the vault, partial tus uploads) are written
 * encrypted, never as plaintext audio: AES-256-CTR, whose keystream can start at any byte, so a
 * resumed tus upload appends at its offset and a reader decrypts from the start with the same
 * function. The key of a multipart spool lives only in the memory of the request that wrote it,
 * so what a crash leaves behind is unreadable noise; a tus upload's key is derived from the
 * server's secret and the upload id, so the upload survives a restart and can be resumed.
 * Integrity is not the spool's job: the envelope that stores the finished upload authenticates it.
 */
export function spoolCipher(key: Uint8Array, offset = 0): Transform {
  if (key.length !== 32) throw new Error('spool keys are 32 bytes');
  const block = Math.floor(offset / 16);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(block), 8);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const skip = offset % 16;
  if (skip > 0) cipher.update(Buffer.alloc(skip));
  return cipher;
}

/** The key of one tus upload: HMAC-SHA-256 of its id under the server's spool secret. */
export function uploadSpoolKey(secret: Uint8Array, uploadId: string): Buffer {
  return createHmac('sha256', secret).update(`vaultmark/upload-spool/v1\n${uploadId}`).digest();
}
