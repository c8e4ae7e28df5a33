/**
 * S3Storage checks against s3rver, a local S3-compatible server started here. Run in a plain
 * Node process (`node --import tsx test/s3-check.ts`): the test runner's workers resolve the
 * `module` export condition, which selects the AWS SDK's bundler-only ESM build.
 *
 * s3rver does not verify request signatures, so this covers the adapter's protocol use (put,
 * multipart, get, head, delete, paged list, prefixes), not authentication or presigned URLs.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { S3Storage } from '../src/storage/s3-storage.js';
import { storageKey } from '../src/storage/storage-key.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => e.code === code);
}

const dir = mkdtempSync(join(tmpdir(), 'vm-s3-'));
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  silent: true,
  directory: dir,
  configureBuckets: [{ name: 'vault' }],
});
const address = (await server.run()) as AddressInfo;
const store = new S3Storage({
  bucket: 'vault',
  region: 'us-east-1',
  endpoint: `http://127.0.0.1:${address.port}`,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  prefix: 'vm/',
});
try {
  const key = storageKey(A, 'obj', id(1));
  assert.deepEqual(await store.put(key, Buffer.from('hello')), { size: 5 });
  assert.equal((await buffer(await store.get(key))).toString(), 'hello');
  assert.equal(await store.exists(key), true);
  await store.put(storageKey(B, 'obj', id(1)), Readable.from([Buffer.from('b')]));
  const listed: string[] = [];
  for await (const k of store.list(`t/${A}/`)) listed.push(k);
  assert.deepEqual(listed, [key]);
  await store.delete(key);
  await store.delete(key);
  assert.equal(await store.exists(key), false);
  await rejectsWith(store.get(key), 'not_found');

  // Larger than one 8 MiB part: a multipart upload, byte-exact.
  const big = Buffer.alloc(9 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  const bigKey = storageKey(A, 'obj', id(2));
  const parts = Array.from({ length: 10 }, (_, i) =>
    big.subarray(i * 1_000_000, (i + 1) * 1_000_000),
  );
  assert.deepEqual(await store.put(bigKey, Readable.from(parts)), { size: big.length });
  assert.equal((await buffer(await store.get(bigKey))).equals(big), true);

  for (const bad of ['../x', `t/${A}/obj/../../${B}/obj/${id(1)}`, `t/${A}/obj/${id(1)}/x`]) {
    await rejectsWith(store.put(bad, Buffer.from('x')), 'invalid_storage_key');
    await rejectsWith(store.get(bad), 'invalid_storage_key');
  }
  console.log('s3-check: ok');
} finally {
  await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
