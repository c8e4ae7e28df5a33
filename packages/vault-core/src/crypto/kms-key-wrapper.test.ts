import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { type KmsClient, KmsKeyWrapper } from './kms-key-wrapper.js';

/** A stand-in KMS that, like the real one, authenticates the encryption context. */
function fakeKms(): KmsClient & { calls: Array<Record<string, string>> } {
  const key = randomBytes(32);
  const calls: Array<Record<string, string>> = [];
  return {
    calls,
    async encrypt({ Plaintext, EncryptionContext }) {
      calls.push(EncryptionContext);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(canonicalJson(EncryptionContext)));
      const ct = Buffer.concat([c.update(Plaintext), c.final()]);
      return { CiphertextBlob: Buffer.concat([iv, ct, c.getAuthTag()]) };
    },
    async decrypt({ CiphertextBlob, EncryptionContext }) {
      calls.push(EncryptionContext);
      const b = Buffer.from(CiphertextBlob);
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
      d.setAAD(Buffer.from(canonicalJson(EncryptionContext)));
      d.setAuthTag(b.subarray(b.length - 16));
      return { Plaintext: Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]) };
    },
  };
}

describe('KmsKeyWrapper', () => {
  it('passes tenant and object as the KMS encryption context; a swapped context fails', async () => {
    const kms = fakeKms();
    const wrapper = new KmsKeyWrapper(kms, 'arn:aws:kms:eu-west-1:111122223333:key/test');
    const ctx = { tenantId: 't1', objectId: 'o1' };
    const dek = randomBytes(32);
    const wrapped = await wrapper.wrap(dek, ctx);
    expect(kms.calls[0]).toEqual({ purpose: 'vaultmark/dek/v1', tenant: 't1', object: 'o1' });
    expect(Buffer.from(await wrapper.unwrap(wrapped, ctx, wrapper.keyId)).equals(dek)).toBe(true);
    await expect(
      wrapper.unwrap(wrapped, { tenantId: 't2', objectId: 'o1' }, wrapper.keyId),
    ).rejects.toMatchObject({
      code: 'integrity_error',
    });
    await expect(wrapper.unwrap(wrapped, ctx, 'kms:other')).rejects.toMatchObject({
      code: 'integrity_error',
    });
  });

  it('adds the recording session to the encryption context when given', async () => {
    const kms = fakeKms();
    const wrapper = new KmsKeyWrapper(kms, 'key/test');
    const ctx = { tenantId: 't1', objectId: 'o1', sessionId: 's1' };
    const dek = randomBytes(32);
    const wrapped = await wrapper.wrap(dek, ctx);
    expect(kms.calls[0]).toEqual({
      purpose: 'vaultmark/dek/v1',
      tenant: 't1',
      object: 'o1',
      session: 's1',
    });
    expect(Buffer.from(await wrapper.unwrap(wrapped, ctx, wrapper.keyId)).equals(dek)).toBe(true);
    await expect(
      wrapper.unwrap(wrapped, { tenantId: 't1', objectId: 'o1' }, wrapper.keyId),
    ).rejects.toMatchObject({ code: 'integrity_error' });
  });
});
