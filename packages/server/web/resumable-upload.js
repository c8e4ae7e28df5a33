// Resumable uploads over tus 1.0 with the checksum extension: the file goes in chunks, each sent
// with `Upload-Checksum: sha256 <base64>` so the server drops a chunk damaged in transit (460)
// and it is sent again. The upload's address is kept in localStorage under the file's name, size
// and date, so after a dropped connection the upload asks the server where it stands (HEAD) and
// carries on, and after a reload choosing the same file again resumes it.
import { currentOrganization } from './api.js';

const csrf = document.querySelector('meta[name="vaultmark-csrf"]')?.content;
/** Bytes per PATCH: small enough to lose little to a drop, large enough to be quick. */
export const CHUNK_BYTES = 256 * 1024;

function headers(extra = {}) {
  const out = { 'Tus-Resumable': '1.0.0', ...extra };
  if (csrf) out['X-CSRF-Token'] = csrf;
  const organization = currentOrganization();
  if (organization) out['X-Vaultmark-Organization'] = organization;
  return out;
}

function base64(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function encodeMetadata(metadata) {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${base64(new TextEncoder().encode(String(value)))}`)
    .join(',');
}

async function sha256(buffer) {
  return base64(new Uint8Array(await crypto.subtle.digest('SHA-256', buffer)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the address of an unfinished upload of this file for this target is kept. */
function resumeKey(file, metadata) {
  return [
    'vaultmark-upload',
    metadata.recordingSession ?? '',
    metadata.participant ?? '',
    file.name,
    file.size,
    file.lastModified,
  ].join(':');
}

async function offsetOf(url, extra = {}) {
  const head = await fetch(url, { method: 'HEAD', headers: headers(extra) }).catch(() => undefined);
  if (!head) return { reachable: false };
  if (!head.ok) return { reachable: true, gone: true };
  return { reachable: true, offset: Number(head.headers.get('Upload-Offset')) };
}

/**
 * Uploads `file` with tus metadata `metadata`. `onProgress(fraction)` follows the bytes the server
 * has; `onState(kind, offset)` says `resumed` (an earlier upload is continued), `waiting` (the
 * connection dropped or a chunk failed its checksum: retrying) and `sending`. Resolves with the
 * server's answer to the last chunk. `endpoint` is the tus endpoint (default `/api/uploads`) and
 * `headers` go with every request (a participant's link token).
 */
export async function resumableUpload(file, metadata, options = {}) {
  const { onProgress = () => {}, onState = () => {}, chunkBytes = CHUNK_BYTES } = options;
  const { endpoint = '/api/uploads', headers: auth = {} } = options;
  const key = resumeKey(file, metadata);
  let url = localStorage.getItem(key);
  let offset = 0;
  if (url) {
    const found = await offsetOf(url, auth);
    if (found.offset !== undefined) {
      offset = found.offset;
      onState('resumed', offset);
    } else {
      url = null;
      localStorage.removeItem(key);
    }
  }
  if (!url) {
    const created = await fetch(endpoint, {
      method: 'POST',
      headers: headers({
        ...auth,
        'Upload-Length': String(file.size),
        'Upload-Metadata': encodeMetadata({ ...metadata, filename: file.name }),
      }),
    });
    if (created.status !== 201) {
      throw new Error((await created.text()).trim() || `HTTP ${created.status}`);
    }
    url = new URL(created.headers.get('Location'), location.href).toString();
    localStorage.setItem(key, url);
  }
  let failures = 0;
  for (;;) {
    onProgress(offset / file.size);
    const chunk = await file.slice(offset, offset + chunkBytes).arrayBuffer();
    let response;
    try {
      onState('sending', offset);
      response = await fetch(url, {
        method: 'PATCH',
        headers: headers({
          ...auth,
          'Upload-Offset': String(offset),
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Checksum': `sha256 ${await sha256(chunk)}`,
        }),
        body: chunk,
      });
    } catch {
      response = undefined; // the network dropped: find out where the server is, then go on
    }
    if (response?.ok) {
      failures = 0;
      offset = Number(response.headers.get('Upload-Offset') ?? offset + chunk.byteLength);
      if (response.status === 200 || offset >= file.size) {
        localStorage.removeItem(key);
        onProgress(1);
        return response.status === 200 ? response.json() : undefined;
      }
      continue;
    }
    const status = response?.status;
    // 460 (checksum), 409 (offset), 5xx and a dropped connection are retried; the rest is final.
    if (status !== undefined && status !== 460 && status !== 409 && status < 500) {
      if (status === 404 || status === 410) localStorage.removeItem(key);
      throw new Error((await response.text()).trim() || `HTTP ${status}`);
    }
    failures += 1;
    if (failures > 30) throw new Error('the upload keeps failing; try again later');
    onState('waiting', offset);
    await sleep(Math.min(5000, 200 * 2 ** Math.min(failures, 5)));
    const found = await offsetOf(url, auth);
    if (found.gone) {
      localStorage.removeItem(key);
      throw new Error('the upload is no longer on the server; reload the page and start it again');
    }
    if (found.offset !== undefined) offset = found.offset;
  }
}
