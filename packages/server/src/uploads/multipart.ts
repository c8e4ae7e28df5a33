import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { ParameterizedContext } from 'koa';
import { HttpError } from '../http-error.js';
import { type SniffedFormat, sniffAudio } from './sniff.js';

/** An uploaded audio file, spooled to a temporary file the caller must `discard()`. */
export interface UploadedAudio {
  /** Temporary path of the received bytes. */
  path: string;
  /** The client's file name, as given (display only; never used as a path). */
  originalName: string;
  /** Container format found by sniffing the first bytes. */
  format: SniffedFormat;
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
  const path = join(limits.tmpDir, `upload-${randomUUID()}`);
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
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (name !== field || pending) {
          stream.resume();
          return;
        }
        pending = spool(stream, path, info.filename ?? '', limits.maxBytes);
        pending.catch(() => {});
      });
      parser.on('error', () =>
        reject(new HttpError(400, 'invalid_input', 'malformed multipart form')),
      );
      parser.on('close', () => {
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
  originalName: string,
  maxBytes: number,
): Promise<Omit<UploadedAudio, 'fields' | 'discard'>> {
  const hash = createHash('sha256');
  const out = createWriteStream(path, { mode: 0o600 });
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
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  if (tooLarge || stream.truncated) {
    throw new HttpError(413, 'payload_too_large', `files are limited to ${maxBytes} bytes`);
  }
  if (size === 0) throw new HttpError(400, 'empty_file', 'the uploaded file is empty');
  const format = sniffAudio(head);
  if (!format) {
    throw new HttpError(415, 'unsupported_media_type', 'the file is not an audio format we read');
  }
  return { path, originalName, format, size, sha256: hash.digest('hex') };
}
