import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../listen.js';
import { assets } from './assets.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-assets-'));
writeFileSync(join(dir, 'app.css'), 'body{}');
writeFileSync(join(dir, 'notes.txt'), 'not served');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('assets', () => {
  it('serves known files with their type and ETag, and nothing else', async () => {
    const app = new Koa();
    app.use(assets(pathToFileURL(`${dir}/`)));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'missing';
    });
    const server = await listen(app, 0);
    try {
      const css = await fetch(`${server.url}/assets/app.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      const etag = css.headers.get('etag')!;
      const again = await fetch(`${server.url}/assets/app.css`, {
        headers: { 'If-None-Match': etag },
      });
      expect(again.status).toBe(304);
      expect((await fetch(`${server.url}/assets/notes.txt`)).status).toBe(404);
      expect((await fetch(`${server.url}/assets/..%2Fapp.css`)).status).toBe(404);
      expect((await fetch(`${server.url}/assets/../package.json`)).status).toBe(404);
    } finally {
      await server.close(100);
    }
  });

  it('ships the stylesheet the pages link to', async () => {
    const app = new Koa();
    app.use(assets());
    const server = await listen(app, 0);
    try {
      expect((await fetch(`${server.url}/assets/app.css`)).status).toBe(200);
    } finally {
      await server.close(100);
    }
  });
});
