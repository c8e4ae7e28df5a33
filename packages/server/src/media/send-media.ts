import type { MediaSource } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { parseRange } from './range.js';

/**
 * Sends media with HTTP Range support (one range; 206 with `Content-Range`, 416 when
 * unsatisfiable, 200 for the whole) and `Cache-Control: private, no-store`, so no shared cache
 * and no browser disk cache keeps a recipient's copy.
 */
export async function sendMedia(
  ctx: ParameterizedContext,
  media: MediaSource,
  options: { download?: string } = {},
): Promise<void> {
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'private, no-store');
  if (options.download) ctx.set('Content-Disposition', options.download);
  const range = parseRange(ctx.get('Range') || undefined, media.size);
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${media.size}`);
    ctx.body = '';
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? media.size - 1;
  ctx.status = range ? 206 : 200;
  if (range) ctx.set('Content-Range', `bytes ${start}-${end}/${media.size}`);
  ctx.type = media.contentType;
  ctx.length = Math.max(0, end - start + 1);
  if (ctx.method === 'HEAD' || media.size === 0) {
    ctx.body = '';
    return;
  }
  ctx.body = await media.open(start, end);
}
