import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { beginTotpEnrollment } from '../accounts/totp-enrollment.js';
import { verifyAuditTrail } from '../audit/audit-trail.js';
import { KeyRing } from '../crypto/data-keys.js';
import { type KeyWrapper, LocalKek } from '../crypto/key-wrapper.js';
import { withSystem, withTenant } from '../db/transactions.js';
import { getSigningPublicKey } from '../evidence/signing-key.js';
import { currentWatermarkKey } from '../media/watermark-key-store.js';
import { readObject, recordObject, sealObject } from '../objects/object-store.js';
import { keyRotationStatus, rewrapKeys } from './key-rotation.js';
import { WRAPPED_KEYS } from './wrapped-keys.js';

const oldKek = new LocalKek(Buffer.alloc(32, 0x42));
const newKek = new LocalKek(Buffer.alloc(32, 0x43));

describe.each(engines)('KEK rotation (%s)', (engine) => {
  const base = useTestDeps(engine);
  // The ring the test rotates: the old KEK alone, then old and new (new wraps).
  const ring: KeyWrapper[] = [oldKek];
  const deps = new Proxy(base, {
    get: (t, p) => (p === 'keys' ? keys : t[p as keyof typeof t]),
  });
  const keys = new KeyRing({ keks: () => ring });

  async function kekIds(): Promise<string[]> {
    return withSystem(deps.db, async (tx) => {
      const ids: string[] = [];
      for (const col of WRAPPED_KEYS) {
        const rows = await tx(col.table).whereNotNull(col.wrapped).select(`${col.kekId} as k`);
        ids.push(...rows.map((r) => r.k as string));
      }
      return ids;
    });
  }

  it('re-wraps every kind of wrapped key in resumable batches while reads go on', async () => {
    const a = await ownerActor(deps, 'rot-a');
    const b = await ownerActor(deps, 'rot-b');
    const objects: Array<{ actor: typeof a; id: string; body: string }> = [];
    for (let i = 0; i < 24; i++) {
      const actor = i % 2 ? a : b;
      const body = `object ${i} of ${actor.tenantId}`;
      const sealed = await sealObject(deps, actor.tenantId, Readable.from([Buffer.from(body)]));
      await withTenant(deps.db, actor.tenantId, (tx) =>
        recordObject(tx, deps.clock.now(), actor, 'master', sealed),
      );
      objects.push({ actor, id: sealed.id, body });
    }
    for (const actor of [a, b]) {
      await withTenant(deps.db, actor.tenantId, (tx) =>
        currentWatermarkKey(deps, tx, actor, deps.clock.now()),
      );
      await getSigningPublicKey(deps, actor);
      await beginTotpEnrollment(deps, actor.userId);
    }
    const readAll = async () => {
      for (const o of objects) {
        const { stream } = await readObject(deps, o.actor, o.id);
        expect(await text(stream)).toBe(o.body);
      }
    };
    const before = await kekIds();
    expect(new Set(before)).toEqual(new Set([oldKek.keyId]));

    // Rotate: the new KEK wraps from now on, the old one still unwraps.
    ring.push(newKek);
    expect(keys.deploymentKeyId()).toBe(newKek.keyId);
    const first = await rewrapKeys(deps, { batchSize: 5, maxBatches: 3 });
    expect(first).toMatchObject({ state: 'running', targetKeyId: newKek.keyId, rewrapped: 15 });
    expect(first.remaining).toBe(before.length - 15);
    // Half-way: every key opens, whichever KEK wraps it now.
    await readAll();

    // A "restart" continues the same rotation where it stopped.
    const batches: number[] = [];
    const done = await rewrapKeys(deps, {
      batchSize: 5,
      onBatch: (p) => batches.push(p.rewrapped),
    });
    expect(done).toMatchObject({ id: first.id, state: 'completed', remaining: 0, failed: 0 });
    expect(done.rewrapped).toBe(before.length);
    expect(batches.reduce((s, n) => s + n, 0)).toBe(before.length - 15);
    expect(new Set(await kekIds())).toEqual(new Set([newKek.keyId]));

    // The old KEK can go: everything opens with the new one alone.
    ring.splice(0, 1);
    await readAll();
    expect(await keyRotationStatus(deps)).toMatchObject({ id: first.id, state: 'completed' });

    // Audited in each organization's chain, which still verifies.
    for (const actor of [a, b]) {
      expect(await auditActions(base, actor.tenantId)).toContain('keys.rewrap');
      expect((await verifyAuditTrail(deps, actor)).ok).toBe(true);
    }
    // Nothing left to do: a second run completes at once.
    const again = await rewrapKeys(deps);
    expect(again).toMatchObject({ state: 'completed', rewrapped: 0, remaining: 0 });
  });

  it('counts a key it cannot unwrap as failed, audits it, and leaves it for a later run', async () => {
    const c = await ownerActor(deps, 'rot-c');
    const sealed = await sealObject(deps, c.tenantId, Readable.from([Buffer.from('x')]));
    await withTenant(deps.db, c.tenantId, (tx) =>
      recordObject(tx, deps.clock.now(), c, 'master', sealed),
    );
    // A key recorded under a KEK the ring does not hold.
    await withSystem(deps.db, (tx) =>
      tx('objects').where({ id: sealed.id }).update({ kek_id: 'local:gone' }),
    );
    ring.push(new LocalKek(Buffer.alloc(32, 0x44)));
    const r = await rewrapKeys(deps, { batchSize: 50 });
    expect(r).toMatchObject({ state: 'running', failed: 1, remaining: 1 });
    expect(await auditActions(base, c.tenantId)).toContain('keys.rewrap_failed');
  });
});
