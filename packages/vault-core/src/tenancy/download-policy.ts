import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/**
 * How an organization's own people receive its audio. Members always get copies marked with
 * their own payload; owners get the stored master unless `markOwnerDownloads` is on, and then
 * a marked copy too (an admin or owner may still ask for the master explicitly, audited).
 */
export interface DownloadPolicy {
  markOwnerDownloads: boolean;
}

/** Reads the organization's download policy. */
export async function getDownloadPolicy(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<DownloadPolicy> {
  authorize(actor, 'organization', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('organizations').where({ id: actor.tenantId }).first('mark_owner_downloads'),
  );
  return { markOwnerDownloads: Boolean(row?.mark_owner_downloads) };
}

/** Sets the organization's download policy (admins); audited. */
export async function setDownloadPolicy(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  policy: DownloadPolicy,
): Promise<void> {
  authorize(actor, 'organization', 'update');
  if (typeof policy?.markOwnerDownloads !== 'boolean') {
    throw new ValidationError('markOwnerDownloads must be true or false', 'markOwnerDownloads');
  }
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organizations')
      .where({ id: actor.tenantId })
      .update({ mark_owner_downloads: policy.markOwnerDownloads });
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'organization.download_policy',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { markOwnerDownloads: policy.markOwnerDownloads },
    });
  });
}
