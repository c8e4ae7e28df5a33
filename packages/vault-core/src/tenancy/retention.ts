import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';

/** An organization's retention policy. */
export interface RetentionPolicy {
  /** Days recipient access events are kept (1..3650, default 730). */
  accessLogDays: number;
  /** Days tracks are kept after upload, then deleted with crypto-erasure; `null` keeps them. */
  trackDays: number | null;
  /**
   * Days members' sign-in events are kept (365..730, default 365: 12 to 24 months). A user in
   * several organizations keeps them for the longest of their policies.
   */
  loginLogDays: number;
}

/** Sign-in events are kept 12 months unless an organization of the user keeps them longer. */
export const DEFAULT_LOGIN_LOG_DAYS = 365;

/** Reads the organization's retention policy. */
export async function getRetentionPolicy(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<RetentionPolicy> {
  authorize(actor, 'organization', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('organizations')
      .where({ id: actor.tenantId })
      .first('access_log_retention_days', 'track_retention_days', 'login_log_retention_days'),
  );
  return {
    accessLogDays: Number(row?.access_log_retention_days ?? 730),
    trackDays: row?.track_retention_days == null ? null : Number(row.track_retention_days),
    loginLogDays: Number(row?.login_log_retention_days ?? DEFAULT_LOGIN_LOG_DAYS),
  };
}

/** Sets the organization's retention policy (admins); the purge job applies it. */
export async function setRetentionPolicy(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  policy: Omit<RetentionPolicy, 'loginLogDays'> & { loginLogDays?: number | undefined },
): Promise<void> {
  authorize(actor, 'organization', 'update');
  const days = policy.accessLogDays;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new ValidationError(
      'accessLogDays must be a whole number of days from 1 to 3650',
      'accessLogDays',
    );
  }
  const trackDays = policy.trackDays ?? null;
  if (trackDays !== null && (!Number.isInteger(trackDays) || trackDays < 1 || trackDays > 36500)) {
    throw new ValidationError('trackDays must be null or 1 to 36500 days', 'trackDays');
  }
  const loginDays = policy.loginLogDays;
  if (
    loginDays !== undefined &&
    (!Number.isInteger(loginDays) || loginDays < 365 || loginDays > 730)
  ) {
    throw new ValidationError(
      'loginLogDays must be a whole number of days from 365 to 730 (12 to 24 months)',
      'loginLogDays',
    );
  }
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organizations')
      .where({ id: actor.tenantId })
      .update({
        access_log_retention_days: days,
        track_retention_days: trackDays,
        ...(loginDays !== undefined ? { login_log_retention_days: loginDays } : {}),
      });
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'organization.retention',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { accessLogDays: days, trackDays, ...(loginDays ? { loginLogDays: loginDays } : {}) },
    });
  });
}
