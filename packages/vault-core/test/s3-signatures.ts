/**
 * Authentication at the storage boundary, against a server that verifies AWS Signature Version 4:
 * a wrong secret and unsigned requests are refused and change nothing, and a presigned URL works
 * only for the object, method and time window it was signed for (a replay on another tenant's
 * key, a stretched expiry or a late use is refused).
 *
 * The presigner here is written from the published SigV4 query-string specification, independent
 * of the SDK that S3Storage signs with, so both sides of the check are exercised.
 */
import { strict as assert } from 'node:assert';
import { createHash, createHmac } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { S3Storage } from '../src/storage/s3-storage.js';
import { storageKey } from '../src/storage/storage-key.js';
import { A, B, id } from './s3-protocol.js';

interface Target {
  endpoint: string;
  bucket: string;
  region: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();
/** RFC 3986 encoding as SigV4 wants it (slashes kept in paths). */
const encode = (s: string, keepSlash: boolean) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, keepSlash ? '/' : '%2F');

/** A presigned GET URL for `key` (SigV4, query-string authentication, UNSIGNED-PAYLOAD). */
export function presignGet(
  t: Target,
  key: string,
  options: { at?: Date; expiresSeconds?: number; secret?: string } = {},
): URL {
  const at = options.at ?? new Date();
  const amzDate = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${t.region}/s3/aws4_request`;
  const url = new URL(t.endpoint);
  const path = `/${t.bucket}/${encode(`${t.prefix}${key}`, true)}`;
  const query: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${t.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(options.expiresSeconds ?? 60),
    'X-Amz-SignedHeaders': 'host',
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${encode(k, false)}=${encode(query[k] as string, false)}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    path,
    canonicalQuery,
    `host:${url.host}\n`,
    'host',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let signingKey = hmac(`AWS4${options.secret ?? t.secretAccessKey}`, day);
  for (const part of [t.region, 's3', 'aws4_request']) signingKey = hmac(signingKey, part);
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  return new URL(`${t.endpoint}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`);
}

const status = async (url: URL | string) => (await fetch(url)).status;

export async function checkSignatures(t: Target): Promise<void> {
  const store = new S3Storage({ ...t });
  const wrong = new S3Storage({ ...t, secretAccessKey: `${t.secretAccessKey}x` });
  const mine = storageKey(A, 'obj', id(10));
  const theirs = storageKey(B, 'obj', id(11));
  await store.put(mine, Buffer.from('tenant A ciphertext'));
  await store.put(theirs, Buffer.from('tenant B ciphertext'));
  try {
    // A client with the wrong secret can neither read nor write nor list, and changes nothing.
    await assert.rejects(
      wrong.get(mine),
      (e: { name?: string }) => e.name === 'SignatureDoesNotMatch',
    );
    await assert.rejects(wrong.put(mine, Buffer.from('overwritten')));
    await assert.rejects(wrong.delete(theirs));
    await assert.rejects(
      (async () => {
        for await (const _ of wrong.list(`t/${B}/`)) break;
      })(),
    );
    assert.equal((await buffer(await store.get(mine))).toString(), 'tenant A ciphertext');
    assert.equal(await store.exists(theirs), true);

    // Unsigned requests are refused.
    const plain = new URL(`${t.endpoint}/${t.bucket}/${t.prefix}${mine}`);
    assert.equal(await status(plain), 403);

    // A presigned URL works for its object, within its window, and for nothing else.
    const url = presignGet(t, mine);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'tenant A ciphertext');

    const replayed = new URL(url);
    replayed.pathname = `/${t.bucket}/${t.prefix}${theirs}`;
    assert.equal(await status(replayed), 403, 'signature replayed on another tenant key');

    const stretched = new URL(url);
    stretched.searchParams.set('X-Amz-Expires', '604800');
    assert.equal(await status(stretched), 403, 'expiry stretched after signing');

    const late = presignGet(t, mine, {
      at: new Date(Date.now() - 10 * 60_000),
      expiresSeconds: 60,
    });
    assert.equal(await status(late), 403, 'presigned URL used after it expired');

    const forged = presignGet(t, mine, { secret: 'guessed' });
    assert.equal(await status(forged), 403, 'presigned with a guessed secret');
  } finally {
    await store.delete(mine);
    await store.delete(theirs);
    await store.close();
    await wrong.close();
  }
}
