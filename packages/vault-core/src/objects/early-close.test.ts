import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect, it } from 'vitest';
import { KeyRing } from '../crypto/data-keys.js';
import { createEncryptStream, newDataKey } from '../crypto/envelope.js';
import { LocalKek } from '../crypto/key-wrapper.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { decryptObjectRow } from './object-store.js';

/**
 * A reader that stops early (a seek reads the first 64 KiB and lets go) must release the stored
 * object's stream too: an S3 body left open holds one of the client's 50 sockets for good, and
 * a local file its descriptor. The soak run found the server starved of sockets in a minute.
 */
it('closes the stored ciphertext when the plaintext reader lets go early', async () => {
  const keys = new LocalKek(randomBytes(32));
  const tenantId = randomUUID();
  const objectId = randomUUID();
  const dataKey = newDataKey();
  const chunks: Buffer[] = [];
  const encrypt = createEncryptStream(dataKey, objectId);
  encrypt.on('data', (c: Buffer) => chunks.push(c));
  await pipeline(Readable.from([randomBytes(4 << 20)]), encrypt);
  const ciphertext = Buffer.concat(chunks);

  // A store whose streams trickle, like a socket, so the reader really stops halfway.
  const opened: Readable[] = [];
  const storage = {
    async get() {
      let at = 0;
      const stream = new Readable({
        highWaterMark: 64 * 1024,
        read() {
          const chunk = at < ciphertext.length ? ciphertext.subarray(at, at + 64 * 1024) : null;
          at += 64 * 1024;
          this.push(chunk);
        },
      });
      opened.push(stream);
      return stream;
    },
  } as unknown as BlobStorage;
  const row = {
    id: objectId,
    tenant_id: tenantId,
    kek_id: keys.keyId,
    storage_key: `t/${tenantId}/master/${objectId}`,
    wrapped_key: await keys.wrap(dataKey, { tenantId, objectId }),
  };

  const plain = await decryptObjectRow({ storage, keys: new KeyRing(keys) }, row);
  const iterator = plain[Symbol.asyncIterator]();
  expect((await iterator.next()).done).toBe(false);
  plain.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  expect(opened).toHaveLength(1);
  expect(opened[0]!.destroyed).toBe(true);
});
