import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, testDatabase } from '../../test/database.js';
import type { Database } from './database.js';
import { withIdentity, withSystem, withTenant } from './transactions.js';

describe.each(engines)('row-level security on %s', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase(engine);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('every table with a tenant column has RLS enabled, forced and a tenant policy', async () => {
    const rows = await db.knex.raw(`
      SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
        (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
           AND pg_get_expr(p.polqual, p.polrelid) LIKE '%vaultmark.tenant_id%') AS tenant_policies
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        AND a.attname = 'tenant_id' AND NOT a.attisdropped`);
    expect(rows.rows.length).toBeGreaterThanOrEqual(10);
    for (const r of rows.rows) {
      expect({ table: r.table, enabled: r.enabled, forced: r.forced }).toEqual({
        table: r.table,
        enabled: true,
        forced: true,
      });
      expect(Number(r.tenant_policies), r.table).toBeGreaterThanOrEqual(1);
    }
  });

  it('fails closed without a tenant and never crosses tenants even without an app check', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const now = new Date('2026-01-01T00:00:00Z');
    for (const id of [a, b]) {
      await withTenant(db, id, (tx) =>
        tx('organizations').insert({ id, tenant_id: id, name: `org ${id}`, created_at: now }),
      );
    }
    // Tenant A sees only itself, even with no WHERE clause at all.
    const seen = await withTenant(db, a, (tx) => tx('organizations').select('id'));
    expect(seen.map((r) => r.id)).toEqual([a]);
    // Mass-assigning another tenant's id is refused by the policy's WITH CHECK.
    await expect(
      withTenant(db, a, (tx) =>
        tx('folders').insert({ id: randomUUID(), tenant_id: b, name: 'x', created_at: now }),
      ),
    ).rejects.toThrow(/row-level security/);
    // Updates and deletes aimed at B's row by id affect nothing.
    const updated = await withTenant(db, a, (tx) =>
      tx('organizations').where({ id: b }).update({ name: 'pwned' }),
    );
    expect(updated).toBe(0);
    const deleted = await withTenant(db, a, (tx) =>
      tx('organizations').where({ id: b }).del().returning('id'),
    );
    expect(deleted).toEqual([]);
    // No tenant context: nothing visible.
    const none = await withIdentity(db, (tx) => tx('organizations').select('id'));
    expect(none).toEqual([]);
    // The application role cannot switch itself into system mode.
    const sneaky = await withIdentity(db, async (tx) => {
      await tx.raw("SELECT set_config('vaultmark.system', 'on', true)");
      return tx('organizations').select('id');
    });
    expect(sneaky).toEqual([]);
    // The operator path sees both.
    const all = await withSystem(db, (tx) => tx('organizations').whereIn('id', [a, b]));
    expect(all).toHaveLength(2);
  });

  it('the application role cannot rewrite or delete audit events', async () => {
    const t = randomUUID();
    await expect(
      withTenant(db, t, (tx) => tx('audit_events').where({ tenant_id: t }).del()),
    ).rejects.toThrow(/permission denied/);
  });
});
