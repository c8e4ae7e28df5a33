/**
 * The production KMS client (`awsKmsClient`, the AWS SDK) with `KmsKeyWrapper` against local-kms:
 *
 *   node --import tsx test/kms-check.ts <path of the local-kms binary>
 *
 * Run in a plain Node process: the test runner's workers resolve the `module` export condition,
 * which selects the AWS SDK's bundler-only ESM build. Prints `kms-check: ok` when every check holds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { awsKmsClient, KmsKeyWrapper } from '../src/crypto/kms-key-wrapper.js';
import { startLocalKms } from './local-kms.js';

const kms = await startLocalKms(process.argv[2] as string);
try {
  const client = awsKmsClient({
    region: 'eu-west-1',
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const arn = await kms.createKey();
  const wrapper = new KmsKeyWrapper(client, arn);
  const context = { tenantId: 't1', objectId: 'o1' };
  const dek = randomBytes(32);
  const wrapped = await wrapper.wrap(dek, context);
  assert.deepEqual(Buffer.from(await wrapper.unwrap(wrapped, context, wrapper.keyId)), dek);
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    );
  // The context is checked by the KMS: another tenant or object does not decrypt.
  assert.equal(
    await code(wrapper.unwrap(wrapped, { tenantId: 't2', objectId: 'o1' }, wrapper.keyId)),
    'integrity_error',
  );
  await kms.disableKey(arn);
  assert.equal(await code(wrapper.unwrap(wrapped, context, wrapper.keyId)), 'key_unavailable');
  assert.equal(await code(wrapper.wrap(dek, context)), 'key_unavailable');
  await kms.enableKey(arn);
  assert.deepEqual(Buffer.from(await wrapper.unwrap(wrapped, context, wrapper.keyId)), dek);
  console.log('kms-check: ok');
} finally {
  await kms.stop();
}
