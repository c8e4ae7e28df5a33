import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type AudioContainer, sniffContainer } from '@vaultmark/vault-core';
import busboy from 'busboy';
import type { ParameterizedContext } from 'koa';
import { controlCharacterAt } from '../api/text-input.js';
import { HttpError } from '../http-error.js';
import { spoolCipher } from './spool-cipher.js';

/** Spool files are named so; anything by that name in the spool directory is a spool. */
export const SPOOL_PREFIX = 'upload-';

/**
 * An uploaded audio file, spooled encrypted to a temporary file (its key only in this
 * process's memory) that the caller must `discard()`.
 */
export interface UploadedAudio {
  /** Reads the received bytes back (decrypted); may be called more than once. */
  open(): Readable;
  /** The client's file name, as given (display only; never used as a path). */
  originalName: string;
  /** Container format found by sniffing the first bytes. */
  format: AudioContainer;
  size: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** Other (text) fields of the form. */
  fields: Record<string, string>;
  discard(): Promise<void>;
}

/** Limits for one multipart upload. */
export interface UploadLimits {
  maxBytes: number;
  /** Directory for temporary files. */
  tmpDir: string;
  /** The form field holding the file. Default `file`. */
  field?: string;
}

/**
 * Reads a multipart/form-data request with exactly one audio file in `field`, streaming it to a
 * temporary file while hashing it. Rejects (and deletes the partial file) when the body exceeds
 * `maxBytes` (413 `payload_too_large`), when the file is not audio by its magic bytes (415
 * `unsupported_media_type`), or when the form is malformed or has no file (400).
 */
export async function receiveAudioUpload(
  ctx: ParameterizedContext,
  limits: UploadLimits,
): Promise<UploadedAudio> {
  const field = limits.field ?? 'file';
  const type = ctx.get('Content-Type');
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new HttpError(415, 'unsupported_media_type', 'expected multipart/form-data');
  }
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > limits.maxBytes + 64 * 1024) {
    throw new HttpError(413, 'payload_too_large', `files are limited to ${limits.maxBytes} bytes`);
  }
  const path = join(limits.tmpDir, `${SPOOL_PREFIX}${randomUUID()}`);
  const key = randomBytes(32);
  const discard = () => rm(path, { force: true });
  try {
    return await new Promise<UploadedAudio>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: ctx.req.headers,
          limits: { files: 1, fileSize: limits.maxBytes, fields: 20, fieldSize: 64 * 1024 },
        });
      } catch {
        reject(new HttpError(400, 'invalid_input', 'malformed multipart form'));
        return;
      }
      const fields: Record<string, string> = {};
      let pending: Promise<Omit<UploadedAudio, 'fields' | 'discard'>> | undefined;
      let refused: HttpError | undefined;
      const refuse = (at: string) => {
        refused ??= new HttpError(
          400,
          'validation_failed',
          `${at}: control characters are not allowed`,
        );
      };
      parser.on('field', (name, value) => {
        const dirty = controlCharacterAt({ [name]: value }, 'form');
        if (dirty) refuse(dirty);
        else fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (name !== field || pending) {
          stream.resume();
          return;
        }
        if (controlCharacterAt(info.filename ?? '', 'name')) refuse(`form.${field}.filename`);
        pending = spool(stream, path, key, info.filename ?? '', limits.maxBytes);
        pending.catch(() => {});
      });
      parser.on('error', () =>
        reject(new HttpError(400, 'invalid_input', 'malformed multipart form')),
      );
      // A client that goes away mid-upload ends nothing that busboy sees: stop waiting for it.
      ctx.req.once('close', () => {
        if (!ctx.req.complete) {
          reject(new HttpError(400, 'invalid_input', 'the upload was interrupted'));
        }
      });
      parser.on('close', () => {
        if (refused) {
          // Answer once the file's spool has settled, so discarding it leaves nothing behind.
          const answer = refused;
          if (pending)
            pending.then(
              () => reject(answer),
              () => reject(answer),
            );
          else reject(answer);
          return;
        }
        if (!pending) {
          reject(new HttpError(400, 'invalid_input', `the form has no "${field}" file`));
          return;
        }
        pending.then((file) => resolve({ ...file, fields, discard }), reject);
      });
      ctx.req.pipe(parser);
    });
  } catch (error) {
    await discard();
    throw error;
  }
}

async function spool(
  stream: Readable & { truncated?: boolean },
  path: string,
  key: Uint8Array,
  originalName: string,
  maxBytes: number,
): Promise<Omit<UploadedAudio, 'fields' | 'discard'>> {
  const hash = createHash('sha256');
  const file = createWriteStream(path, { mode: 0o600 });
  const out = spoolCipher(key);
  out.pipe(file);
  const written = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
  });
  // A failed write (ENOSPC: the disk is full) is thrown once the form is read to its end: the
  // parser finishes only when the file part is consumed, and a drain that never comes would hang.
  let failed = false;
  const settled = written.then(
    () => {},
    () => {
      failed = true;
    },
  );
  let size = 0;
  let head = Buffer.alloc(0);
  let tooLarge = false;
  stream.on('limit', () => {
    tooLarge = true;
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
    hash.update(chunk);
    if (failed) continue;
    if (!out.write(chunk)) {
      await Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), settled]);
    }
  }
  if (failed) out.destroy();
  else out.end();
  await written;
  if (tooLarge || stream.truncated) {
    throw new HttpError(413, 'payload_too_large', `files are limited to ${maxBytes} bytes`);
  }
  if (size === 0) throw new HttpError(400, 'empty_file', 'the uploaded file is empty');
  const format = sniffContainer(head);
  if (!format) {
    throw new HttpError(415, 'unsupported_media_type', 'the file is not an audio format we read');
  }
  const open = () => {
    const source = createReadStream(path);
    const plain = spoolCipher(key);
    source.on('error', (error) => plain.destroy(error));
    return source.pipe(plain);
  };
  return { open, originalName, format, size, sha256: hash.digest('hex') };
}
