import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyRing } from './data-keys.js';
import { KekFile } from './kek-file.js';
import { LocalKek } from './key-wrapper.js';

describe('KekFile', () => {
  const ctx = { tenantId: 't', objectId: 'o' };

  it('reads a one-line KEK file as before and keeps derived secrets across rotations', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kekfile-')), 'keys', 'kek.key');
    const legacy = LocalKek.fromFile(path);
    const file = KekFile.open(path);
    expect(file.root.keyId).toBe(legacy.keyId);
    const secret = Buffer.from(file.root.deriveSecret('audit-checkpoint'));
    const ring = new KeyRing(file);
    const dek = randomBytes(32);
    const before = await ring.wrap(dek, ctx);
    expect(before.keyId).toBe(legacy.keyId);

    const added = file.addKey();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(ring.deploymentKeyId()).toBe(added);
    const after = await ring.wrap(dek, ctx);
    expect(after.keyId).toBe(added);
    // Both open; the derivation root is still the first key.
    for (const w of [before, after]) {
      expect(Buffer.from(await ring.unwrap(w.wrapped, ctx, w.keyId)).equals(dek)).toBe(true);
    }
    expect(Buffer.from(KekFile.open(path).root.deriveSecret('audit-checkpoint'))).toEqual(secret);
  });

  it('lets another process see a key added to the shared file when it meets its id', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kekfile-')), 'kek.key');
    const server = new KeyRing(KekFile.open(path));
    const operator = KekFile.open(path);
    const id = operator.addKey();
    const w = await new KeyRing(operator).wrap(Buffer.alloc(32, 7), ctx);
    expect(w.keyId).toBe(id);
    // The server has not re-read the file yet; an unknown key id makes it do so.
    expect(Buffer.from(await server.unwrap(w.wrapped, ctx, w.keyId))).toEqual(Buffer.alloc(32, 7));
    await expect(server.unwrap(w.wrapped, ctx, 'local:unknown')).rejects.toMatchObject({
      code: 'integrity_error',
    });
  });
});
