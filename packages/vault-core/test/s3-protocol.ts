/**
 * The S3 protocol as S3Storage uses it (put, multipart, get, head, delete, paged list, prefixes),
 * checked against any S3-compatible server.
 */
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Storage } from '../src/storage/s3-storage.js';
import { storageKey } from '../src/storage/storage-key.js';

export const A = '00000000-0000-4000-8000-00000000000a';
export const B = '00000000-0000-4000-8000-00000000000b';
export const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => e.code === code);
}

/** Runs the protocol checks on `store`; leaves nothing behind under tenant A's prefix. */
export async function checkProtocol(store: S3Storage): Promise<void> {
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
}
