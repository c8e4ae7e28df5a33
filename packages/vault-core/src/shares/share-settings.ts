import { appendActorAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/** An organization's share settings. */
export interface ShareSettings {
  /** Lifetime of a share created without an expiry, in days (default 14). */
  defaultExpiryDays: number;
  /** Longest lifetime any share may have, in days from its creation (default 90, at most 365). */
  maxExpiryDays: number;
}

/** The settings of the transaction's tenant. */
export async function readShareSettings(tx: Tx, tenantId: string): Promise<ShareSettings> {
  const row = await tx('organizations')
    .where({ id: tenantId })
    .first('share_default_days', 'share_max_days');
  return {
    defaultExpiryDays: Number(row?.share_default_days ?? 14),
    maxExpiryDays: Number(row?.share_max_days ?? 90),
  };
}

/** Reads the organization's share settings (members). */
export async function getShareSettings(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<ShareSettings> {
  authorize(actor, 'share', 'read');
  return withTenant(deps.db, actor.tenantId, (tx) => readShareSettings(tx, actor.tenantId));
}

/** Sets the organization's share settings (admins); existing shares keep their expiry. */
export async function setShareSettings(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  settings: ShareSettings,
): Promise<ShareSettings> {
  authorize(actor, 'share', 'configure');
  const { defaultExpiryDays: def, maxExpiryDays: max } = settings ?? ({} as ShareSettings);
  for (const [field, v] of [
    ['defaultExpiryDays', def],
    ['maxExpiryDays', max],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 365) {
      throw new ValidationError(`${field} must be a whole number of days from 1 to 365`, field);
    }
  }
  if (def > max) {
    throw new ValidationError(
      'defaultExpiryDays must not exceed maxExpiryDays',
      'defaultExpiryDays',
    );
  }
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organizations')
      .where({ id: actor.tenantId })
      .update({ share_default_days: def, share_max_days: max });
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'share.settings',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { defaultExpiryDays: def, maxExpiryDays: max },
    });
    return { defaultExpiryDays: def, maxExpiryDays: max };
  });
}
