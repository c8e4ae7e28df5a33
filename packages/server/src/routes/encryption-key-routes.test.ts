import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browserless, engines, startTestServer, type TestServer } from '../../test/vault-server.js';

// The KMS behaviour itself (wrapping by the organization's key, a disabled key locking only its
// audio) is tested in vault-core against local-kms; here, the routes on a deployment without one.
describe.each(engines)('organization encryption key over HTTP on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let member: Browserless;

  beforeAll(async () => {
    t = await startTestServer(engine, { worker: false });
    owner = new Browserless(t.url);
    await owner.register('key-owner@example.org');
    member = new Browserless(t.url);
    await member.register('key-member@example.org');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('shows the deployment key and refuses a KMS key where no KMS is configured', async () => {
    const got = await owner.json('GET', '/api/organization/encryption-key');
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ keyId: null, available: false, since: null });
    const set = await owner.json('PUT', '/api/organization/encryption-key', {
      kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/x',
    });
    expect(set.status).toBe(400);
    expect(set.body).toMatchObject({ error: { code: 'invalid_input' } });
    const bad = await owner.json('PUT', '/api/organization/encryption-key', {});
    expect(bad.status).toBe(400);
  });

  it('is scoped to the caller’s organization: another one is not reachable', async () => {
    owner.organization = member.organizationId;
    try {
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/x' }],
      ] as const) {
        const other = await owner.request(method, '/api/organization/encryption-key', body);
        expect(other.status).toBe(404);
      }
    } finally {
      owner.organization = undefined;
    }
  });
});
