/**
 * S3Storage checks against a local S3-compatible server started here:
 *
 *   node --import tsx test/s3-check.ts s3rver
 *   node --import tsx test/s3-check.ts s3s <path of the s3s-fs binary>
 *
 * Run in a plain Node process: the test runner's workers resolve the `module` export condition,
 * which selects the AWS SDK's bundler-only ESM build.
 *
 * s3rver (npm) does not verify request signatures, so it covers the adapter's protocol use only.
 * s3s-fs (Rust crate `s3s-fs`, built with cargo) verifies AWS Signature Version 4 on every
 * request, header-signed and presigned: against it the same protocol checks run with real
 * authentication, plus adversarial ones (wrong secret, unsigned requests, presigned URLs
 * replayed on another tenant's key, with a stretched expiry, or after they expired).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { S3Storage } from '../src/storage/s3-storage.js';
import { freePort } from './free-port.js';
import { checkProtocol } from './s3-protocol.js';
import { checkSignatures } from './s3-signatures.js';

const [kind, binary] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'vm-s3-'));
let stop: () => Promise<void> = async () => {};

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no S3 server on port ${port}`);
}

try {
  if (kind === 's3rver') {
    const server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'vault' }],
    });
    const address = (await server.run()) as AddressInfo;
    stop = () => server.close();
    const store = new S3Storage({
      bucket: 'vault',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${address.port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      prefix: 'vm/',
    });
    await checkProtocol(store);
    await store.close();
  } else if (kind === 's3s' && binary) {
    mkdirSync(join(dir, 'vault'));
    const port = await freePort();
    const credentials = {
      accessKeyId: 'VMTESTACCESS',
      secretAccessKey: 'vm-test-secret-0123456789',
    };
    const child = spawn(
      binary,
      [
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--access-key',
        credentials.accessKeyId,
        '--secret-key',
        credentials.secretAccessKey,
        dir,
      ],
      { stdio: 'ignore' },
    );
    stop = async () => {
      child.kill();
    };
    await waitForPort(port);
    const endpoint = `http://127.0.0.1:${port}`;
    const store = new S3Storage({
      bucket: 'vault',
      region: 'us-east-1',
      endpoint,
      ...credentials,
      prefix: 'vm/',
    });
    await checkProtocol(store);
    await checkSignatures({
      endpoint,
      bucket: 'vault',
      region: 'us-east-1',
      prefix: 'vm/',
      ...credentials,
    });
    await store.close();
  } else {
    throw new Error('usage: s3-check.ts s3rver | s3s <s3s-fs binary>');
  }
  console.log('s3-check: ok');
} finally {
  await stop();
  rmSync(dir, { recursive: true, force: true });
}
