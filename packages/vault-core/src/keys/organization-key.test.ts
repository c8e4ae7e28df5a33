import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { type LocalKms, localKmsBinary, startLocalKms } from '../../test/local-kms.js';
import { KeyRing } from '../crypto/data-keys.js';
import { type KeyWrapper, LocalKek } from '../crypto/key-wrapper.js';
import { KmsKeyWrapper } from '../crypto/kms-key-wrapper.js';
import { OrganizationKeyRing } from '../crypto/organization-key-ring.js';
import { withSystem, withTenant } from '../db/transactions.js';
import { currentWatermarkKey } from '../media/watermark-key-store.js';
import { readObject, recordObject, sealObject } from '../objects/object-store.js';
import type { Actor } from '../policies.js';
import { rewrapKeys } from './key-rotation.js';
import {
  getOrganizationKey,
  loadOrganizationKeys,
  setOrganizationKey,
} from './organization-key.js';

const binary = localKmsBinary();

// CI installs local-kms (scripts/setup-system.sh); elsewhere the suite runs when it is installed.
describe.skipIf(!binary && !process.env.CI).each(engines)(
  "an organization's own KMS key (local-kms, %s)",
  (engine) => {
    const base = useTestDeps(engine);
    let kms: LocalKms;
    let keys: OrganizationKeyRing;
    const deps = new Proxy(base, {
      get: (t, p) => (p === 'keys' ? keys : t[p as keyof typeof t]),
    });

    beforeAll(async () => {
      expect(binary, 'local-kms is not installed: see scripts/setup-system.sh').toBeDefined();
      kms = await startLocalKms(binary as string);
      const ring = new KeyRing(new LocalKek(Buffer.alloc(32, 0x42)));
      keys = new OrganizationKeyRing(ring, kms.client, () => loadOrganizationKeys(base));
      await keys.refresh();
    });
    afterAll(async () => {
      await kms?.stop();
    });

    async function store(actor: Actor, body: string): Promise<string> {
      const sealed = await sealObject(deps, actor.tenantId, Readable.from([Buffer.from(body)]));
      await withTenant(deps.db, actor.tenantId, (tx) =>
        recordObject(tx, deps.clock.now(), actor, 'master', sealed),
      );
      return sealed.id;
    }
    const read = async (actor: Actor, id: string) =>
      text((await readObject(deps, actor, id)).stream);
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: { code?: string }) => e.code,
      );

    it('wraps its data keys with it; a disabled key makes its audio (only) unreadable', async () => {
      const a = await ownerActor(deps, 'byok-a');
      const b = await ownerActor(deps, 'byok-b');
      const before = await store(a, 'a before');
      await withTenant(deps.db, a.tenantId, (tx) =>
        currentWatermarkKey(deps, tx, a, deps.clock.now()),
      );
      const other = await store(b, 'b');
      expect(await getOrganizationKey(deps, a)).toMatchObject({ keyId: null, available: true });

      const arn = await kms.createKey();
      const set = await setOrganizationKey(deps, a, { kmsKeyId: arn });
      expect(set).toMatchObject({ keyId: `kms:${arn}`, rewrapped: 2, failed: 0 });
      expect(await auditActions(base, a.tenantId)).toEqual(
        expect.arrayContaining(['encryption_key.set', 'keys.rewrap']),
      );
      const after = await store(a, 'a after');
      const kekOf = (id: string) =>
        withSystem(deps.db, async (tx) => (await tx('objects').where({ id }).first()).kek_id);
      expect(await kekOf(before)).toBe(`kms:${arn}`);
      expect(await kekOf(after)).toBe(`kms:${arn}`);
      expect(await kekOf(other)).toMatch(/^local:/);
      expect(await read(a, before)).toBe('a before');
      expect(await read(a, after)).toBe('a after');

      // The KMS binds the organization and object: the same ciphertext under another
      // organization's context does not decrypt.
      const row = await withSystem(deps.db, (tx) => tx('objects').where({ id: after }).first());
      expect(
        await failure(
          keys.unwrap(row.wrapped_key, { tenantId: b.tenantId, objectId: after }, row.kek_id),
        ),
      ).toBe('integrity_error');

      // The organization disables its key: its audio is unreadable, with a clear error, and
      // nothing new can be stored; the other organization is not affected.
      await kms.disableKey(arn);
      expect(await failure(read(a, before))).toBe('key_unavailable');
      expect(await failure(read(a, after))).toBe('key_unavailable');
      expect(await failure(store(a, 'refused'))).toBe('key_unavailable');
      expect(await read(b, other)).toBe('b');
      expect(await store(b, 'b again')).toMatch(/-/);

      // Enabled again, everything reads as before.
      await kms.enableKey(arn);
      expect(await read(a, before)).toBe('a before');
    });

    it('rotates a deployment KMS key: the previous key unwraps until every key is moved', async () => {
      const [oldArn, newArn] = [await kms.createKey(), await kms.createKey()];
      // The earlier tests' keys are under the local KEK: it stays in the ring, oldest.
      const ring: KeyWrapper[] = [
        new LocalKek(Buffer.alloc(32, 0x42)),
        new KmsKeyWrapper(kms.client, oldArn),
      ];
      const kmsRing = new KeyRing({ keks: () => ring });
      const saved = keys;
      keys = new OrganizationKeyRing(kmsRing, kms.client, () => loadOrganizationKeys(base));
      try {
        const d = await ownerActor(deps, 'kms-deployment');
        const ids = [await store(d, 'one'), await store(d, 'two')];
        // KMS_KEY_ID=new, KMS_PREVIOUS_KEY_IDS=old
        ring.push(new KmsKeyWrapper(kms.client, newArn));
        expect(await read(d, ids[0]!)).toBe('one');
        const done = await rewrapKeys(deps, { batchSize: 1 });
        expect(done).toMatchObject({ state: 'completed', targetKeyId: `kms:${newArn}` });
        const kekIds = await withSystem(deps.db, (tx) =>
          tx('objects').whereIn('id', ids).pluck('kek_id'),
        );
        expect(kekIds).toEqual([`kms:${newArn}`, `kms:${newArn}`]);
        // The old key disabled (or dropped from the ring): everything still reads.
        await kms.disableKey(oldArn);
        ring.splice(1, 1);
        expect(await read(d, ids[0]!)).toBe('one');
        expect(await read(d, ids[1]!)).toBe('two');
      } finally {
        keys = saved;
      }
    });

    it('refuses a key the deployment cannot use, and members may not choose one', async () => {
      const c = await ownerActor(deps, 'byok-c');
      const missing = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';
      expect(await failure(setOrganizationKey(deps, c, { kmsKeyId: missing }))).toBe(
        'key_unavailable',
      );
      expect(await getOrganizationKey(deps, c)).toMatchObject({ keyId: null });
      const member = { ...c, role: 'member' as const };
      expect(await failure(setOrganizationKey(deps, member, { kmsKeyId: 'x' }))).toBe('forbidden');
      expect(await failure(setOrganizationKey(deps, c, { kmsKeyId: 'not a key id' }))).toBe(
        'invalid_input',
      );
    });
  },
);

// The production client (AWS SDK) in a plain Node process: the runner's workers cannot load it.
it.skipIf(!binary && !process.env.CI)(
  'awsKmsClient and KmsKeyWrapper against local-kms: context checked, disabled key refused',
  { timeout: 60_000 },
  () => {
    const script = fileURLToPath(new URL('../../test/kms-check.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, binary as string], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
      timeout: 55_000,
    });
    expect(run.stderr + run.stdout).toContain('kms-check: ok');
    expect(run.status).toBe(0);
  },
);
