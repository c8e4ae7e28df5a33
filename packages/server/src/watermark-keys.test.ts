import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, startTestServer, type TestServer } from '../test/vault-server.js';

/** Key escrow over HTTP: an owner exports the keys and mapping, another vault imports them. */
describe('watermark key export and import', () => {
  let t: TestServer;
  let ann: Browserless;
  let bo: Browserless;

  beforeAll(async () => {
    t = await startTestServer('pglite');
    ann = new Browserless(t.url);
    bo = new Browserless(t.url);
    await ann.register('ann@label.example', 'Ann');
    await bo.register('bo@other.example', 'Bo');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('exports under a passphrase and imports once, for owners', async () => {
    // A first key exists once the organization has one.
    expect((await ann.json('POST', '/api/watermark-keys/rotate')).status).toBe(201);
    const exported = await ann.request('POST', '/api/watermark-keys/export', {
      passphrase: 'a long export passphrase',
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('application/octet-stream');
    const file = Buffer.from(await exported.arrayBuffer());
    expect(file.subarray(0, 4).toString()).toBe('VMW1');

    const post = (passphrase: string) =>
      fetch(`${t.url}/api/watermark-keys/import`, {
        method: 'POST',
        headers: {
          Cookie: [...bo.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'X-CSRF-Token': bo.csrf ?? '',
          'Content-Type': 'application/octet-stream',
          'X-Vaultmark-Passphrase': passphrase,
        },
        body: file,
      });
    const wrong = await post('not the right passphrase');
    expect(wrong.status).toBe(400);
    const imported = await post('a long export passphrase');
    expect(imported.status).toBe(200);
    const held = (await ann.json<{ items: unknown[] }>('GET', '/api/watermark-keys')).body.items;
    expect(await imported.json()).toEqual({ keys: held.length, marks: 0 });
    expect(await (await post('a long export passphrase')).json()).toEqual({ keys: 0, marks: 0 });
  });
});
