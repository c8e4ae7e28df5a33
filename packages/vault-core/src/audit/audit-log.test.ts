import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines, testDatabase } from '../../test/database.js';
import type { Database } from '../db/database.js';
import { withSystem, withTenant } from '../db/transactions.js';
import {
  appendAudit,
  tombstoneAudit,
  verifyAuditChain,
  writeAuditCheckpoint,
} from './audit-log.js';

const signer = { keyId: 'test', secret: Buffer.alloc(32, 3) };
const at = new Date('2026-03-01T12:00:00.123Z');

describe.each(engines)('audit chain on %s', (engine) => {
  let db: Database;
  let tenant: string;
  beforeAll(async () => {
    db = await testDatabase(engine);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    tenant = randomUUID();
    await withTenant(db, tenant, async (tx) => {
      for (let i = 0; i < 5; i++) {
        await appendAudit(tx, at, {
          tenantId: tenant,
          actorId: randomUUID(),
          action: 'track.update',
          objectType: 'track',
          objectId: randomUUID(),
          detail: { field: 'title', n: i, nested: { a: [1, 'b'] } },
        });
      }
    });
  });
  const verify = () =>
    withTenant(db, tenant, (tx) => verifyAuditChain(tx, { tenantId: tenant }, signer));
  /** Tampering happens as the database owner: the application role cannot update or delete. */
  const tamper = (sql: string) =>
    withSystem(db, async (tx) => {
      const head = await tx('audit_heads').where({ tenant_id: tenant }).first();
      await tx.raw(sql.replaceAll(':chain', `'${head.chain_id}'`));
    });

  it('verifies an untouched chain', async () => {
    expect(await verify()).toMatchObject({ ok: true, events: 5, problems: [] });
  });

  it('detects a modified field', async () => {
    await tamper(
      `UPDATE audit_events SET action = 'track.read' WHERE chain_id = :chain AND seq = 3`,
    );
    expect((await verify()).problems).toContainEqual({ seq: 3, reason: 'event altered' });
  });

  it('detects modified identifiers or detail', async () => {
    await tamper(
      `UPDATE audit_events SET detail = '{"field":"artist"}' WHERE chain_id = :chain AND seq = 2`,
    );
    expect((await verify()).problems).toContainEqual({ seq: 2, reason: 'subject altered' });
  });

  it('detects a deleted event', async () => {
    await tamper(`DELETE FROM audit_events WHERE chain_id = :chain AND seq = 2`);
    expect((await verify()).ok).toBe(false);
  });

  it('detects reordering', async () => {
    await tamper(
      `UPDATE audit_events SET seq = seq + 100 WHERE chain_id = :chain AND seq IN (2, 3)`,
    );
    await tamper(
      `UPDATE audit_events SET seq = 105 - seq WHERE chain_id = :chain AND seq IN (102, 103)`,
    );
    await tamper(`UPDATE audit_events SET seq = seq - 100 WHERE chain_id = :chain AND seq > 100`);
    expect((await verify()).ok).toBe(false);
  });

  it('detects truncation below a signed checkpoint even when the head is rewound', async () => {
    await withTenant(db, tenant, (tx) => writeAuditCheckpoint(tx, tenant, at, signer));
    await tamper(`DELETE FROM audit_events WHERE chain_id = :chain AND seq >= 4`);
    await tamper(
      `UPDATE audit_heads SET seq = 3, hash = (SELECT hash FROM audit_events WHERE chain_id = :chain AND seq = 3) WHERE chain_id = :chain`,
    );
    const result = await verify();
    expect(result.problems).toContainEqual({
      seq: 5,
      reason: 'checkpointed event missing or altered (truncation)',
    });
    // A forged checkpoint is refused.
    await tamper(
      `UPDATE audit_checkpoints SET signature = repeat('0', 64) WHERE chain_id = :chain`,
    );
    expect((await verify()).problems[0]?.reason).toBe('checkpoint signature invalid');
  });

  it('rolls back with the transaction it records', async () => {
    await expect(
      withTenant(db, tenant, async (tx) => {
        await appendAudit(tx, at, { tenantId: tenant, action: 'track.delete' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect((await verify()).events).toBe(5);
  });

  it('refuses secrets and raw addresses in detail', async () => {
    for (const detail of [{ password: 'x' }, { nested: { token: 'x' } }, { ip: '10.0.0.1' }]) {
      await expect(
        withTenant(db, tenant, (tx) =>
          appendAudit(tx, at, { tenantId: tenant, action: 'x', detail }),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    }
  });

  it('keeps verifying after the organization is tombstoned', async () => {
    const chainId = await withSystem(db, (tx) => tombstoneAudit(tx, tenant, at, signer));
    expect(chainId).toBeTruthy();
    const rows = await withSystem(db, (tx) => tx('audit_events').where({ chain_id: chainId }));
    expect(rows).toHaveLength(5);
    for (const r of rows)
      expect([r.tenant_id, r.actor_id, r.object_id]).toEqual([null, null, null]);
    const result = await withSystem(db, (tx) =>
      verifyAuditChain(tx, { chainId: chainId as string }, signer),
    );
    expect(result).toMatchObject({ ok: true, events: 5, checkpoints: 1 });
    // The deleted tenant itself no longer sees anything.
    expect(await withTenant(db, tenant, (tx) => tx('audit_events').select())).toEqual([]);
  });
});
