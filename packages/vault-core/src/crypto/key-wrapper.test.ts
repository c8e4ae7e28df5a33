import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalKek } from './key-wrapper.js';

describe('LocalKek', () => {
  const kek = new LocalKek(Buffer.alloc(32, 1));
  const ctx = { tenantId: 'tenant-a', objectId: 'object-1' };
  const dek = Buffer.alloc(32, 9);

  it('unwraps only under the same tenant, object and KEK', async () => {
    const wrapped = await kek.wrap(dek, ctx);
    expect(Buffer.from(await kek.unwrap(wrapped, ctx, kek.keyId)).equals(dek)).toBe(true);
    for (const other of [
      { tenantId: 'tenant-b', objectId: 'object-1' },
      { tenantId: 'tenant-a', objectId: 'object-2' },
      // The separator prevents "a\0b" ambiguity between the two fields.
      { tenantId: 'tenant-aobject-1', objectId: '' },
    ]) {
      await expect(kek.unwrap(wrapped, other, kek.keyId)).rejects.toMatchObject({
        code: 'integrity_error',
      });
    }
    const otherKek = new LocalKek(Buffer.alloc(32, 2));
    await expect(otherKek.unwrap(wrapped, ctx, kek.keyId)).rejects.toThrow();
    await expect(otherKek.unwrap(wrapped, ctx, otherKek.keyId)).rejects.toThrow();
  });

  it('binds a key wrapped with a session to that session', async () => {
    const withSession = { ...ctx, sessionId: 'session-1' };
    const wrapped = await kek.wrap(dek, withSession);
    expect(Buffer.from(await kek.unwrap(wrapped, withSession, kek.keyId)).equals(dek)).toBe(true);
    for (const other of [ctx, { ...ctx, sessionId: 'session-2' }, { ...ctx, sessionId: '' }]) {
      await expect(kek.unwrap(wrapped, other, kek.keyId)).rejects.toMatchObject({
        code: 'integrity_error',
      });
    }
    // A key wrapped without a session does not open under any session.
    const plain = await kek.wrap(dek, ctx);
    await expect(kek.unwrap(plain, withSession, kek.keyId)).rejects.toThrow();
  });

  it('creates a private key file once and reloads the same key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kek-')), 'keys', 'kek.hex');
    const a = LocalKek.fromFile(path);
    const b = LocalKek.fromFile(path);
    expect(a.keyId).toBe(b.keyId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });
});
