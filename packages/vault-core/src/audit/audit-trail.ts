import { withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { type Actor, authorize } from '../policies.js';
import {
  type AuditEvent,
  type AuditVerification,
  toAuditEvent,
  verifyAuditChain,
  writeAuditCheckpoint,
} from './audit-log.js';

/** The tenant's audit events, newest first, paged by sequence number. */
export async function listAuditEvents(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  page: { limit?: number; beforeSeq?: number } = {},
): Promise<AuditEvent[]> {
  authorize(actor, 'audit', 'read');
  const limit = Math.min(Math.max(1, Math.trunc(page.limit ?? 100)), 1000);
  const rows = await withTenant(deps.db, actor.tenantId, (tx) => {
    const q = tx('audit_events').orderBy('seq', 'desc').limit(limit);
    if (typeof page.beforeSeq === 'number') q.where('seq', '<', page.beforeSeq);
    return q;
  });
  return rows.map(toAuditEvent);
}

/** Verifies the tenant's chain (and its signed checkpoints). */
export async function verifyAuditTrail(
  deps: Pick<VaultDeps, 'db' | 'auditSigner'>,
  actor: Actor,
): Promise<AuditVerification> {
  authorize(actor, 'audit', 'verify');
  return withTenant(deps.db, actor.tenantId, (tx) =>
    verifyAuditChain(tx, { tenantId: actor.tenantId }, deps.auditSigner),
  );
}

/**
 * Signs a checkpoint of every tenant's chain head (a periodic system job; the returned list is
 * what an operator ships to write-once storage outside the database).
 */
export async function checkpointAllAuditChains(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'auditSigner'>,
): Promise<Array<{ chainId: string; seq: number; hash: string; signature: string }>> {
  const tenants = await withSystem(deps.db, (tx) => tx('audit_heads').pluck('tenant_id'));
  const out = [];
  for (const tenantId of tenants) {
    const cp = await withTenant(deps.db, tenantId, (tx) =>
      writeAuditCheckpoint(tx, tenantId, deps.clock.now(), deps.auditSigner),
    );
    if (cp) out.push(cp);
  }
  return out;
}
