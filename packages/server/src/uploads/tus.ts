import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { MemoryLocker, Server } from '@tus/server';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Caller } from '../auth/caller.js';
import { type SniffedFormat, sniffAudio } from './sniff.js';

/** A finished resumable upload, handed to the application once all bytes are in. */
export interface FinishedUpload {
  /** Where the bytes are; removed after `onComplete` returns. */
  path: string;
  size: number;
  format: SniffedFormat;
  /** The client's file name from the `filename` metadata (display only). */
  originalName: string;
  caller: Caller;
}

/** Options of the tus endpoint. */
export interface TusOptions {
  /** Mount point, e.g. `/api/uploads`. */
  path: string;
  /** Directory for partial uploads. */
  dir: string;
  maxBytes: number;
  /** Resolves the caller (throws 401 when there is none). */
  authenticate(ctx: ParameterizedContext): Promise<void>;
  /** Turns a finished upload into the application's object; its result is the response body. */
  onComplete(upload: FinishedUpload): Promise<Record<string, unknown>>;
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
export function tusUploads(options: TusOptions): Middleware {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // The caller of each Node request, set by the middleware below before tus sees the request.
  const callers = new WeakMap<object, { owner: string; caller: Caller }>();
  const callerOfHook = (req: unknown) => {
    const node = (req as HookRequest).runtime?.node?.req;
    return node && typeof node === 'object' ? callers.get(node) : undefined;
  };
  const ownerOf = (id: string) => id.slice(0, id.lastIndexOf('-'));
  const tus = new Server({
    path: options.path,
    datastore: new FileStore({ directory: options.dir }),
    locker: new MemoryLocker(),
    maxSize: options.maxBytes,
    relativeLocation: true,
    namingFunction: (req) => `${callerOfHook(req)?.owner}-${randomBytes(16).toString('hex')}`,
    onIncomingRequest: async (req, uploadId) => {
      // Creation (POST) names a fresh id for the caller; every other method acts on an id.
      if (req.method === 'POST') return;
      if (ownerOf(uploadId) !== callerOfHook(req)?.owner) {
        throw { status_code: 404, body: 'upload not found\n' };
      }
    },
    onUploadFinish: async (req, upload) => {
      const path = join(options.dir, upload.id);
      const format = sniffAudio(readHead(path));
      const caller = callerOfHook(req)?.caller;
      try {
        if (!format) throw { status_code: 415, body: 'the file is not an audio format we read\n' };
        if (!caller) throw { status_code: 401, body: 'sign in first\n' };
        const result = await options.onComplete({
          path,
          size: upload.size ?? upload.offset,
          format,
          originalName: upload.metadata?.filename ?? 'upload',
          caller,
        });
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
  return async (ctx, next) => {
    if (ctx.path !== options.path && !ctx.path.startsWith(`${options.path}/`)) {
      await next();
      return;
    }
    await options.authenticate(ctx);
    const caller = ctx.state.caller as Caller;
    const owner = `u${caller.userId.replace(/[^A-Za-z0-9]/g, '')}`;
    callers.set(ctx.req, { owner, caller });
    ctx.respond = false;
    await tus.handle(ctx.req, ctx.res);
  };
}

function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const read = readSync(fd, head, 0, 16, 0);
    return head.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
