import { tombstoneAudit } from '../audit/audit-log.js';
import { withSystem } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';

/** How often the purge job runs (every 6 hours). */
export const PURGE_INTERVAL_MS = 6 * 3600_000;
/** Forensic mappings are kept 24 months after their share, then deleted. */
export const FORENSIC_RETENTION_MS = 730 * 86_400_000;

/** Login log entries are kept 24 months. */
export const LOGIN_LOG_RETENTION_MS = 730 * 86_400_000;

/** What one purge run removed. */
export interface PurgeReport {
  organizations: number;
  users: number;
  blobs: number;
  forensicMarks: number;
  /** Recipient access events past their organization's retention. */
  accessEvents: number;
  /** Login events past 24 months, and expired sessions and email codes. */
  identityRows: number;
}

// Tables without a cascading foreign key to organizations, deleted explicitly.
const LOOSE_TABLES = [
  'forensic_marks',
  'access_events',
  'jobs',
  'share_tracks',
  'share_recipients',
  'track_versions',
];

/**
 * Purges everything whose grace period has ended. Each organization goes in three idempotent
 * steps, so a crash at any point is finished by the next run and leaves nothing orphaned:
 * 1. crypto-erasure: every wrapped data key of the tenant is destroyed (one transaction);
 * 2. every blob under the tenant's storage prefix is deleted (derived files included);
 * 3. rows are deleted and the audit chain tombstoned, in one transaction.
 * Then users past their grace period are deleted (sessions and login log cascade), forensic
 * mappings past their retention are removed, recipient access events past their organization's
 * retention, login events past 24 months, and expired sessions and email codes.
 */
export async function purgeDue(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'auditSigner'>,
): Promise<PurgeReport> {
  const now = deps.clock.now();
  const report: PurgeReport = {
    organizations: 0,
    users: 0,
    blobs: 0,
    forensicMarks: 0,
    accessEvents: 0,
    identityRows: 0,
  };
  const dueUsers: string[] = await withSystem(deps.db, (tx) =>
    tx('users').whereNotNull('delete_after').where('delete_after', '<=', now).pluck('id'),
  );
  const dueOrgs: string[] = await withSystem(deps.db, (tx) =>
    tx('organizations').whereNotNull('delete_after').where('delete_after', '<=', now).pluck('id'),
  );
  for (const tenantId of dueOrgs) {
    await withSystem(deps.db, (tx) =>
      tx('objects').where({ tenant_id: tenantId }).update({ wrapped_key: null, erased_at: now }),
    );
    for await (const key of deps.storage.list(`t/${tenantId}/`)) {
      await deps.storage.delete(key);
      report.blobs++;
    }
    await withSystem(deps.db, async (tx) => {
      await tombstoneAudit(tx, tenantId, now, deps.auditSigner);
      for (const table of LOOSE_TABLES) await tx(table).where({ tenant_id: tenantId }).del();
      await tx('organizations').where({ id: tenantId }).del();
    });
    report.organizations++;
  }
  for (const userId of dueUsers) {
    await withSystem(deps.db, (tx) => tx('users').where({ id: userId }).del());
    report.users++;
  }
  const expired = await withSystem(deps.db, (tx) =>
    tx('forensic_marks').where('retain_until', '<=', now).del().returning('id'),
  );
  report.forensicMarks = expired.length;
  // Per-organization retention of the recipient access log.
  const access = await withSystem(deps.db, (tx) =>
    tx.raw(
      `DELETE FROM access_events a USING organizations o
       WHERE a.tenant_id = o.id AND a.at < ?::timestamptz - make_interval(days => o.access_log_retention_days)
       RETURNING a.id`,
      [now],
    ),
  );
  report.accessEvents = access.rows.length;
  report.identityRows = await withSystem(deps.db, async (tx) => {
    const logins = await tx('login_events')
      .where('at', '<', new Date(now.getTime() - LOGIN_LOG_RETENTION_MS))
      .del()
      .returning('id');
    const sessions = await tx('sessions').where('expires_at', '<', now).del().returning('id');
    const codes = await tx('email_codes').where('expires_at', '<', now).del().returning('id');
    return logins.length + sessions.length + codes.length;
  });
  return report;
}
