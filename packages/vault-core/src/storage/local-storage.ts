import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidStorageKeyError, NotFoundError } from '../errors.js';
import type { BlobStorage } from './blob-storage.js';
import { assertStorageKey, assertStoragePrefix } from './storage-key.js';

/**
 * Blob storage in a local directory (the embedded default). Writes go to a temporary file in
 * the same directory and are renamed into place, so a crash never leaves a partial object.
 */
export class LocalStorage implements BlobStorage {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path of a validated key; re-checked to lie inside the root (defence in depth). */
  private pathOf(key: string): string {
    assertStorageKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new InvalidStorageKeyError();
    return path;
  }

  async put(key: string, body: Readable | Uint8Array): Promise<{ size: number }> {
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
      await pipeline(source, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      const { size } = await stat(tmp);
      await rename(tmp, path);
      return { size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      throw new NotFoundError('object');
    }
    return createReadStream(path);
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (e) {
      if (e instanceof InvalidStorageKeyError) throw e;
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /**
   * Deletes `.part` files (a `put` cut short by a crash) last written before `before`. Walks
   * the whole tree; a `put` still running writes a younger file and is left alone.
   */
  async sweepIncomplete(before: Date): Promise<number> {
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.part')) {
          const info = await stat(path).catch(() => undefined);
          if (info && info.mtime < before) {
            await rm(path, { force: true });
            removed++;
          }
        }
      }
    };
    await walk(this.root);
    return removed;
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertStoragePrefix(prefix);
    const dir = resolve(this.root, ...prefix.split('/').filter(Boolean));
    let kinds: string[];
    const depth = prefix.split('/').filter(Boolean).length;
    try {
      kinds = depth === 2 ? await readdir(dir) : [''];
    } catch {
      return;
    }
    for (const kind of kinds.sort()) {
      let names: string[];
      try {
        names = await readdir(join(dir, kind));
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (name.endsWith('.part')) continue;
        const key = depth === 2 ? `${prefix}${kind}/${name}` : `${prefix}${name}`;
        yield key;
      }
    }
  }
}
