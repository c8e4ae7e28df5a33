import { verifyAuditChain } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { type Actor, authorize } from '../policies.js';
import {
  type EvidenceBundle,
  type EvidenceCheck,
  type EvidenceVerification,
  verifyEvidence,
} from './evidence-format.js';
import { publicKeyOfRow } from './signing-key.js';

/**
 * Verifies a bundle inside the vault that made it (admins and owners): every offline check of
 * {@link verifyEvidence} against the organization's own signing key, then what only the vault
 * can establish (`audit_chain`): the anchor event is in the organization's chain with the same
 * hash, the whole chain and its checkpoints verify, and the bundle's checkpoint is one the vault
 * signed. A bundle of another organization fails: its key and its chain are not this one's.
 */
export async function verifyEvidenceInVault(
  deps: Pick<VaultDeps, 'db' | 'auditSigner'>,
  actor: Actor,
  bundle: unknown,
): Promise<EvidenceVerification> {
  authorize(actor, 'audit', 'verify');
  const doc = (bundle as EvidenceBundle | null)?.evidence;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const keyRow = await tx('signing_keys').first();
    const own = keyRow ? publicKeyOfRow(keyRow).publicKeyPem : undefined;
    const offline = verifyEvidence(bundle, own ? { publicKeyPem: own } : {});
    const checks: EvidenceCheck[] = [...offline.checks];
    if (!own) {
      checks.push({
        name: 'public_key',
        ok: false,
        detail: 'this organization has signed nothing',
      });
    }
    const fail = (detail: string) => checks.push({ name: 'audit_chain', ok: false, detail });
    const ev = doc?.audit?.event;
    if (!ev || doc.organizationId !== actor.tenantId) {
      fail('the bundle is not anchored in this organization');
      return { verified: false, checks };
    }
    const row = await tx('audit_events').where({ chain_id: ev.chainId, seq: ev.seq }).first();
    const chain = await verifyAuditChain(tx, { tenantId: actor.tenantId }, deps.auditSigner);
    const cp = doc.audit.checkpoint;
    const signed = cp
      ? await tx('audit_checkpoints').where({ chain_id: cp.chainId, seq: cp.seq }).first()
      : null;
    if (!row) fail(`event ${ev.seq} of chain ${ev.chainId} is not in the audit chain`);
    else if (row.hash !== ev.hash) fail(`the audit chain holds another event at ${ev.seq}`);
    else if (!chain.ok) {
      const p = chain.problems[0];
      fail(`the audit chain does not verify (event ${p?.seq}: ${p?.reason})`);
    } else if (!signed || signed.signature !== cp?.signature || signed.hash !== cp?.hash) {
      fail('the checkpoint is not one this vault signed');
    } else {
      checks.push({
        name: 'audit_chain',
        ok: true,
        detail: `event ${ev.seq} is in the chain of ${chain.events} events, which verifies`,
      });
    }
    return { verified: checks.every((c) => c.ok), checks };
  });
}
