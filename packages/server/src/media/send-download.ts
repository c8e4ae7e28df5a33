import type { TrackDownload } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { contentDisposition } from '../uploads/content-disposition.js';
import { sendMedia } from './send-media.js';

/**
 * Sends what vault-core decided a member receives: the stored master as it was uploaded, or
 * their marked copy (with Range support). Either way an attachment, never cached.
 */
export async function sendDownload(
  koa: ParameterizedContext,
  download: TrackDownload,
): Promise<void> {
  const disposition = contentDisposition(download.fileName);
  if (download.kind === 'marked') {
    await sendMedia(koa, download.media, { download: disposition });
    return;
  }
  koa.set('Cache-Control', 'private, no-store');
  koa.set('Content-Disposition', disposition);
  koa.type = 'application/octet-stream';
  koa.length = download.sizeBytes;
  koa.body = download.stream;
  koa.status = 200;
}
