import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { LocalStorage } from './local-storage.js';
import { storageKey } from './storage-key.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const O = '00000000-0000-4000-8000-000000000001';

describe('LocalStorage', () => {
  const root = mkdtempSync(join(tmpdir(), 'vm-store-'));
  const store = new LocalStorage(root);

  it('stores, reads, lists within the tenant prefix, and deletes', async () => {
    const key = storageKey(A, 'obj', O);
    expect(await store.put(key, Buffer.from('hello'))).toEqual({ size: 5 });
    expect((await buffer(await store.get(key))).toString()).toBe('hello');
    await store.put(storageKey(B, 'obj', O), Readable.from([Buffer.from('other')]));
    const listed: string[] = [];
    for await (const k of store.list(`t/${A}/`)) listed.push(k);
    expect(listed).toEqual([key]);
    await store.delete(key);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejects every key it did not generate, including traversal attempts', async () => {
    const bad = [
      '../etc/passwd',
      `t/${A}/obj/../../${B}/obj/${O}`,
      `t/${A}/obj/${O}/../x`,
      `/t/${A}/obj/${O}`,
      `t/${A}/obj/${O}\0`,
      `t/${A}/OBJ/${O}`,
      `t\\${A}\\obj\\${O}`,
      `t/${A.toUpperCase()}/obj/${O}`,
      `t/${A}/obj/${O}/`,
      'x'.repeat(5000),
      '',
    ];
    for (const key of bad) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toMatchObject({
        code: 'invalid_storage_key',
      });
      await expect(store.get(key), key).rejects.toMatchObject({ code: 'invalid_storage_key' });
      await expect(store.delete(key), key).rejects.toMatchObject({ code: 'invalid_storage_key' });
    }
    for (const prefix of ['', 't/', '../', `t/${A}/../`, `t/${A}`]) {
      await expect(
        (async () => {
          for await (const _ of store.list(prefix)) {
          }
        })(),
        prefix,
      ).rejects.toMatchObject({ code: 'invalid_storage_key' });
    }
    expect(readdirSync(root).sort()).toEqual(['t']);
  });

  it('leaves nothing behind when an upload fails midway', async () => {
    const key = storageKey(A, 'obj', '00000000-0000-4000-8000-000000000002');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(key, failing)).rejects.toThrow('client went away');
    expect(await store.exists(key)).toBe(false);
    expect(readdirSync(join(root, 't', A, 'obj')).some((n) => n.endsWith('.part'))).toBe(false);
  });
});
