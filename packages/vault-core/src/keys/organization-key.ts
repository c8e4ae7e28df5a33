import { appendActorAudit } from '../audit/audit-log.js';
import { withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { rewrapOrganizationKeys } from './key-rotation.js';

/** An organization's own encryption key, as shown to its admins. */
export interface OrganizationKeyInfo {
  /** `kms:<KMS key id or ARN>`, or null when the deployment's key wraps its data keys. */
  keyId: string | null;
  /** Whether this deployment lets organizations bring their own KMS key. */
  available: boolean;
  since: Date | null;
}

/** Every organization's key choice, for the key ring's cache (operator scope). */
export async function loadOrganizationKeys(
  deps: Pick<VaultDeps, 'db'>,
): Promise<Array<{ tenantId: string; keyId: string }>> {
  const rows = await withSystem(deps.db, (tx) =>
    tx('organization_keys').select('tenant_id', 'key_id'),
  );
  return rows.map((r) => ({ tenantId: r.tenant_id as string, keyId: r.key_id as string }));
}

/** The organization's own key, if it has one (admins and owners). */
export async function getOrganizationKey(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
  actor: Actor,
): Promise<OrganizationKeyInfo> {
  authorize(actor, 'encryptionKey', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) => tx('organization_keys').first());
  return {
    keyId: row?.key_id ?? null,
    available: deps.keys.organizations !== undefined,
    since: row ? new Date(row.created_at) : null,
  };
}

/**
 * Brings the organization's own KMS key (owners): the deployment must be able to encrypt and
 * decrypt with it under the organization's encryption context (checked first, so a key without
 * a grant is refused before anything changes). From then on the organization's data keys are
 * wrapped by it; those wrapped before are re-wrapped at once (audited as `keys.rewrap`). If the
 * organization later disables the key in its KMS, its audio is unreadable (`key_unavailable`)
 * until it enables the key again; no other organization is affected.
 */
export async function setOrganizationKey(
  deps: Pick<VaultDeps, 'db' | 'keys' | 'clock'>,
  actor: Actor,
  input: { kmsKeyId: string },
): Promise<OrganizationKeyInfo & { rewrapped: number; failed: number }> {
  authorize(actor, 'encryptionKey', 'set');
  const organizations = deps.keys.organizations;
  if (!organizations) {
    throw new ValidationError(
      'this deployment has no KMS configured for organization keys',
      'kmsKeyId',
    );
  }
  const kmsKeyId = input.kmsKeyId.trim();
  if (!/^[\w:/+=,.@-]{1,2048}$/.test(kmsKeyId)) {
    throw new ValidationError('expected a KMS key id, ARN or alias', 'kmsKeyId');
  }
  const keyId = `kms:${kmsKeyId}`;
  await organizations.verify(actor.tenantId, keyId);
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organization_keys').where({ tenant_id: actor.tenantId }).del();
    await tx('organization_keys').insert({
      tenant_id: actor.tenantId,
      key_id: keyId,
      created_by: actor.userId,
      created_at: now,
    });
    await appendActorAudit(tx, now, actor, {
      action: 'encryption_key.set',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { keyId },
    });
  });
  organizations.changed(actor.tenantId, keyId);
  const moved = await rewrapOrganizationKeys(deps, actor.tenantId);
  return { keyId, available: true, since: now, ...moved };
}
