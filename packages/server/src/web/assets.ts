import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The directory of the web pages' static files: `web/` at the package root, which is one level up
 * from the bundled `dist/` and two levels up from this source file.
 */
export function webDir(): URL {
  const candidates = [new URL('../web/', import.meta.url), new URL('../../web/', import.meta.url)];
  return candidates.find((url) => existsSync(new URL('app.css', url))) ?? candidates[0]!;
}

/**
 * Serves the static files of `web/` under `/assets/`. The set of files is read once at start-up,
 * so only those names are ever served (no path from the request reaches the file system).
 */
export function assets(dir: URL = webDir()): Middleware {
  const files = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(new URL(name, dir));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(`/assets/${name}`, { body, type, etag });
  }
  return async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
    if (!file) {
      await next();
      return;
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', file.etag);
    if (ctx.get('If-None-Match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
