import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { MemoryLocker, Server } from '@tus/server';
import { type AudioContainer, sniffContainer } from '@vaultmark/vault-core';
import type { Middleware, ParameterizedContext } from 'koa';
import { controlCharacterAt } from '../api/text-input.js';
import type { Caller } from '../auth/caller.js';
import { spoolCipher, uploadSpoolKey } from './spool-cipher.js';

/** Unfinished uploads are deleted this long after they were created (default 24 hours). */
export const DEFAULT_UPLOAD_EXPIRY_MS = 24 * 3600_000;

/** Status of a chunk whose checksum does not match its bytes (tus checksum extension). */
export const CHECKSUM_MISMATCH = 460;

/**
 * The `Upload-Checksum` header of the tus checksum extension: `sha256 <base64 digest>`. Returns
 * the digest, `undefined` without a header, or throws 400 for another algorithm or a bad digest.
 */
export function parseUploadChecksum(header: string | null): Buffer | undefined {
  if (header === null || header === '') return undefined;
  const [algorithm, encoded, ...rest] = header.trim().split(/\s+/);
  if (algorithm?.toLowerCase() !== 'sha256' || rest.length > 0) {
    throw { status_code: 400, body: 'unsupported checksum algorithm (use sha256)\n' };
  }
  const digest = Buffer.from(encoded ?? '', 'base64');
  if (digest.length !== 32 || digest.toString('base64') !== encoded) {
    throw { status_code: 400, body: 'the checksum is not a base64 SHA-256 digest\n' };
  }
  return digest;
}

/**
 * The tus file store, writing every byte through the spool cipher under the upload's own key:
 * partial uploads on disk are ciphertext, and a resumed upload continues the keystream at its
 * offset. It also implements the tus checksum extension: a chunk sent with `Upload-Checksum`
 * is hashed as it is written, and when its SHA-256 differs (or the chunk was cut short, so it
 * cannot be verified) the file is truncated back to the chunk's offset and the request answers
 * 460: the upload stays where it was, and the client sends the chunk again.
 */
class EncryptedFileStore extends FileStore {
  /** The digest the next chunk of each upload must have (set per request, after the owner check). */
  readonly #expected = new Map<string, Buffer>();
  constructor(
    options: ConstructorParameters<typeof FileStore>[0],
    private readonly secret: Uint8Array,
  ) {
    super(options);
    this.extensions = [...this.extensions, 'checksum'];
  }

  /** Sets (or clears) the checksum the next chunk of `id` must match. */
  expectChecksum(id: string, digest: Buffer | undefined): void {
    if (digest) this.#expected.set(id, digest);
    else this.#expected.delete(id);
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const expected = this.#expected.get(id);
    this.#expected.delete(id);
    const sealed = spoolCipher(uploadSpoolKey(this.secret, id), offset);
    readable.on('error', (error) => sealed.destroy(error));
    if (!expected) return super.write(readable.pipe(sealed), id, offset);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    readable.on('error', (error) => tap.destroy(error));
    const written = await super.write(readable.pipe(tap).pipe(sealed), id, offset);
    if (!hash.digest().equals(expected)) {
      await truncate(join(this.directory, id), offset);
      throw { status_code: CHECKSUM_MISMATCH, body: 'Checksum Mismatch\n' };
    }
    return written;
  }

  /** The plaintext of an upload, from its first byte. */
  open(id: string): Readable {
    const source = createReadStream(join(this.directory, id));
    const plain = spoolCipher(uploadSpoolKey(this.secret, id));
    source.on('error', (error) => plain.destroy(error));
    return source.pipe(plain);
  }
}

/** A finished resumable upload, handed to the application once all bytes are in. */
export interface FinishedUpload {
  /** Reads the bytes (decrypted); the spool is removed after `onComplete` returns. */
  open(): Readable;
  size: number;
  format: AudioContainer;
  /** The client's file name from the `filename` metadata (display only). */
  originalName: string;
  /** The upload's tus metadata (e.g. the recording session and participant it is for). */
  metadata: Record<string, string>;
  caller: Caller;
}

/** An upload as the creation and failure hooks see it. */
export interface UploadInfo {
  metadata: Record<string, string>;
  caller: Caller;
}

/** Options of the tus endpoint. */
export interface TusOptions {
  /** Mount point, e.g. `/api/uploads`. */
  path: string;
  /** Directory for partial uploads. */
  dir: string;
  /** 32-byte secret the per-upload spool keys derive from (stable across restarts). */
  spoolSecret: Uint8Array;
  maxBytes: number;
  /** Unfinished uploads older than this are swept (default {@link DEFAULT_UPLOAD_EXPIRY_MS}). */
  expiryMs?: number;
  /** Resolves the caller (throws 401 when there is none). */
  authenticate(ctx: ParameterizedContext): Promise<void>;
  /** Turns a finished upload into the application's object; its result is the response body. */
  onComplete(upload: FinishedUpload): Promise<Record<string, unknown>>;
  /** Checks a new upload's metadata before any byte is taken (throw `{ status_code, body }`). */
  onCreate?(upload: UploadInfo): Promise<void>;
  /** Told when a chunk fails its checksum (460) or a finished file is not audio (415). */
  onFailed?(upload: UploadInfo & { reason: 'checksum_mismatch' | 'not_audio' }): Promise<void>;
}

/** The request as `@tus/server` passes it to hooks: a web Request carrying the Node request. */
type HookRequest = { runtime?: { node?: { req?: unknown } } };

/**
 * Resumable uploads over the tus 1.0 protocol (`@tus/server` with a file store). Each upload id
 * starts with its owner's user id, and every request on an upload must come from that
 * owner: other callers get 404, as if the upload did not exist. A finished upload whose first bytes
 * are not audio is refused (415) and deleted. Partial uploads live on this server's disk, so a
 * deployment with several servers routes `/api/uploads` of one upload to one server (sticky).
 */
export function tusUploads(options: TusOptions): Middleware & { sweepExpired(): Promise<number> } {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // The caller of each Node request, set by the middleware below before tus sees the request.
  const callers = new WeakMap<
    object,
    { owner: string; caller: Caller; state: Record<string, unknown> }
  >();
  const callerOfHook = (req: unknown) => {
    const node = (req as HookRequest).runtime?.node?.req;
    return node && typeof node === 'object' ? callers.get(node) : undefined;
  };
  const ownerOf = (id: string) => id.slice(0, id.lastIndexOf('-'));
  const store = new EncryptedFileStore(
    {
      directory: options.dir,
      expirationPeriodInMilliseconds: options.expiryMs ?? DEFAULT_UPLOAD_EXPIRY_MS,
    },
    options.spoolSecret,
  );
  const tus = new Server({
    path: options.path,
    datastore: store,
    locker: new MemoryLocker(),
    maxSize: options.maxBytes,
    relativeLocation: true,
    namingFunction: (req) => `${callerOfHook(req)?.owner}-${randomBytes(16).toString('hex')}`,
    onUploadCreate: async (req, upload) => {
      if (controlCharacterAt(upload.metadata ?? {}, 'metadata')) {
        throw { status_code: 400, body: 'control characters are not allowed in metadata\n' };
      }
      const caller = callerOfHook(req)?.caller;
      if (caller && options.onCreate) {
        await options.onCreate({ metadata: metadataOf(upload.metadata), caller });
      }
      // Creation with upload: the first chunk may carry a checksum too.
      store.expectChecksum(upload.id, parseUploadChecksum(req.headers.get('upload-checksum')));
      return {};
    },
    onIncomingRequest: async (req, uploadId) => {
      // Creation (POST) names a fresh id for the caller; every other method acts on an id.
      if (req.method === 'POST') return;
      if (ownerOf(uploadId) !== callerOfHook(req)?.owner) {
        throw { status_code: 404, body: 'upload not found\n' };
      }
      if (req.method === 'PATCH') {
        store.expectChecksum(uploadId, parseUploadChecksum(req.headers.get('upload-checksum')));
      }
    },
    onResponseError: async (req, error) => {
      const status = (error as { status_code?: number }).status_code;
      const caller = callerOfHook(req)?.caller;
      if (!options.onFailed || !caller || status !== CHECKSUM_MISMATCH) return undefined;
      const id = new URL(req.url).pathname.split('/').pop() ?? '';
      const upload = await store.getUpload(id).catch(() => undefined);
      await options
        .onFailed({
          metadata: metadataOf(upload?.metadata),
          caller,
          reason: 'checksum_mismatch',
        })
        .catch(() => undefined);
      return undefined;
    },
    onUploadFinish: async (req, upload) => {
      const path = join(options.dir, upload.id);
      const format = sniffContainer(await readHead(store.open(upload.id)));
      const caller = callerOfHook(req)?.caller;
      try {
        if (!caller) throw { status_code: 401, body: 'sign in first\n' };
        if (!format) {
          await options
            .onFailed?.({ metadata: metadataOf(upload.metadata), caller, reason: 'not_audio' })
            .catch(() => undefined);
          throw { status_code: 415, body: 'the file is not an audio format we read\n' };
        }
        const result = await options.onComplete({
          open: () => store.open(upload.id),
          size: upload.size ?? upload.offset,
          format,
          originalName: upload.metadata?.filename ?? 'upload',
          metadata: metadataOf(upload.metadata),
          caller,
        });
        // Counted per organization like a multipart upload (see the access log).
        const entry = callerOfHook(req);
        if (entry) entry.state.organizationEvent = 'upload';
        return {
          status_code: 200,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(result),
        };
      } finally {
        await Promise.all([rm(path, { force: true }), rm(`${path}.json`, { force: true })]);
      }
    },
  });
  const middleware: Middleware = async (ctx, next) => {
    if (ctx.path !== options.path && !ctx.path.startsWith(`${options.path}/`)) {
      await next();
      return;
    }
    await options.authenticate(ctx);
    const caller = ctx.state.caller as Caller;
    const owner = `u${caller.userId.replace(/[^A-Za-z0-9]/g, '')}`;
    callers.set(ctx.req, { owner, caller, state: ctx.state });
    // Logged and measured under a route template, like the routes (never the upload's id).
    (ctx as { _matchedRoute?: string })._matchedRoute =
      ctx.path === options.path ? options.path : `${options.path}/:id`;
    // The checksum extension's algorithms, announced with the other capabilities.
    if (ctx.method === 'OPTIONS') ctx.res.setHeader('Tus-Checksum-Algorithm', 'sha256');
    ctx.respond = false;
    await tus.handle(ctx.req, ctx.res);
  };
  return Object.assign(middleware, {
    /** Deletes unfinished uploads past their expiry; returns how many went. */
    sweepExpired: () => tus.cleanUpExpiredUploads(),
  });
}

/** tus metadata as plain strings (a key sent without a value reads as ''). */
function metadataOf(metadata: Record<string, string | null> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) out[key] = value ?? '';
  return out;
}

/** The first 16 bytes of a stream (fewer if it is shorter); the stream is then closed. */
async function readHead(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= 16) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, 16);
}
