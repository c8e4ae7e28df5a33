import { createHash } from 'node:crypto';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

/**
 * A tus client in a few lines: creation at `endpoint`, then PATCH chunks with `Upload-Checksum`
 * (a chunk answered 460 is sent again); `headers` authenticate every request.
 */
export async function tusUpload(
  endpoint: string,
  headers: Record<string, string>,
  bytes: Buffer,
  metadata: Record<string, string>,
  options: { chunk?: number; corruptFirstTry?: number } = {},
): Promise<{ create: number; statuses: number[]; body: string; location?: string }> {
  const auth = { ...headers, 'Tus-Resumable': '1.0.0' };
  const create = await fetch(endpoint, {
    method: 'POST',
    headers: {
      ...auth,
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(','),
    },
  });
  if (create.status !== 201) return { create: create.status, statuses: [], body: '' };
  const location = new URL(create.headers.get('location')!, endpoint).toString();
  const size = options.chunk ?? 64 * 1024;
  const statuses: number[] = [];
  let offset = 0;
  let body = '';
  let corrupt = options.corruptFirstTry;
  while (offset < bytes.length) {
    const piece = bytes.subarray(offset, offset + size);
    const sent = Buffer.from(piece);
    if (corrupt === offset) {
      sent[7]! ^= 0xff;
      corrupt = undefined;
    }
    const r = await fetch(location, {
      method: 'PATCH',
      headers: {
        ...auth,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Checksum': `sha256 ${sha(piece)}`,
      },
      body: new Uint8Array(sent),
    });
    statuses.push(r.status);
    body = await r.text();
    if (r.status === 460) continue; // sent again, correctly
    if (r.status >= 300) break;
    offset = Number(r.headers.get('upload-offset'));
  }
  return { create: create.status, statuses, body, location };
}
