import { revokeAllSessions } from '../accounts/sessions.js';
import { reauthenticate } from '../accounts/sign-in.js';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { withIdentity, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/** Grace period of an account deletion: 30 days. */
export const ACCOUNT_DELETION_GRACE_MS = 30 * 86_400_000;
/** Grace period of an organization deletion: 7 days. */
export const ORGANIZATION_DELETION_GRACE_MS = 7 * 86_400_000;

/**
 * Schedules the account's deletion after a 30-day grace period (password re-entered). Every
 * session ends; the personal organization is scheduled with it, so its shares stop working
 * during the grace period. Signing in again and cancelling restores everything.
 */
export async function requestAccountDeletion(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  userId: string,
  input: { password: string },
): Promise<{ deleteAfter: Date }> {
  await reauthenticate(deps, userId, { password: input?.password });
  const now = deps.clock.now();
  const deleteAfter = new Date(now.getTime() + ACCOUNT_DELETION_GRACE_MS);
  const personal = await personalOrganizations(deps, userId);
  await withIdentity(deps.db, async (tx) => {
    await tx('users')
      .where({ id: userId })
      .update({ delete_requested_at: now, delete_after: deleteAfter });
    await revokeAllSessions(tx, userId, now);
  });
  for (const orgId of personal) {
    await withTenant(deps.db, orgId, async (tx) => {
      await tx('organizations')
        .where({ id: orgId })
        .update({ delete_requested_at: now, delete_after: deleteAfter });
      await appendAudit(tx, now, {
        tenantId: orgId,
        actorId: userId,
        action: 'account.delete_requested',
        objectType: 'user',
        objectId: userId,
      });
    });
  }
  return { deleteAfter };
}

/** Cancels a pending account deletion; the account and its personal organization are restored. */
export async function cancelAccountDeletion(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
): Promise<void> {
  const now = deps.clock.now();
  await withIdentity(deps.db, (tx) =>
    tx('users').where({ id: userId }).update({ delete_requested_at: null, delete_after: null }),
  );
  for (const orgId of await personalOrganizations(deps, userId)) {
    await withTenant(deps.db, orgId, async (tx) => {
      await tx('organizations')
        .where({ id: orgId })
        .update({ delete_requested_at: null, delete_after: null });
      await appendAudit(tx, now, {
        tenantId: orgId,
        actorId: userId,
        action: 'account.delete_cancelled',
        objectType: 'user',
        objectId: userId,
      });
    });
  }
}

async function personalOrganizations(
  deps: Pick<VaultDeps, 'db'>,
  userId: string,
): Promise<string[]> {
  return withSystem(deps.db, (tx) =>
    tx('memberships')
      .join('organizations', 'organizations.id', 'memberships.tenant_id')
      .where({ user_id: userId, personal: true, role: 'owner' })
      .pluck('organizations.id'),
  );
}

/** Schedules the actor's organization for deletion after 7 days (owners only). */
export async function requestOrganizationDeletion(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
): Promise<{ deleteAfter: Date }> {
  authorize(actor, 'organization', 'delete');
  const now = deps.clock.now();
  const deleteAfter = new Date(now.getTime() + ORGANIZATION_DELETION_GRACE_MS);
  await setOrganizationDeletion(deps, actor, now, deleteAfter);
  return { deleteAfter };
}

/** Cancels a pending organization deletion (owners only). */
export async function cancelOrganizationDeletion(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
): Promise<void> {
  authorize(actor, 'organization', 'delete');
  await setOrganizationDeletion(deps, actor, null, null);
}

async function setOrganizationDeletion(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  requestedAt: Date | null,
  deleteAfter: Date | null,
): Promise<void> {
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const n = await tx('organizations')
      .where({ id: actor.tenantId })
      .update({ delete_requested_at: requestedAt, delete_after: deleteAfter })
      .returning('id');
    if (n.length === 0) throw new NotFoundError('organization');
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: deleteAfter ? 'organization.delete_requested' : 'organization.delete_cancelled',
      objectType: 'organization',
      objectId: actor.tenantId,
    });
  });
}
