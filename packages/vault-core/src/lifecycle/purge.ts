import { pruneAttempts } from '../accounts/attempts.js';
import { appendAudit, tombstoneAudit } from '../audit/audit-log.js';
import { withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import { eraseObjects } from '../objects/object-store.js';
import { DEFAULT_LOGIN_LOG_DAYS } from '../tenancy/retention.js';

/** How often the purge job runs (every 6 hours). */
export const PURGE_INTERVAL_MS = 6 * 3600_000;

/** Login log entries are never kept longer than 24 months (organizations choose 12 to 24). */
export const LOGIN_LOG_RETENTION_MS = 730 * 86_400_000;

/** A deleted organization's tombstoned audit chain is kept 12 months, then deleted. */
export const TOMBSTONED_AUDIT_RETENTION_MS = 365 * 86_400_000;

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
  /** Tracks past their organization's recording retention. */
  tracks: number;
  /** Expired access grants of password-protected shares. */
  shareGrants: number;
  /** Blob pieces left by writes a crash interrupted (`.part` files). */
  partialBlobs: number;
  /** Stored previews of recipients whose link is revoked or expired (crypto-erased). */
  renditions: number;
  /** Audit events of deleted organizations, 12 months after they were tombstoned. */
  auditEvents: number;
}

/** A blob write unfinished for this long was cut short by a crash. */
export const PARTIAL_BLOB_AGE_MS = 6 * 3600_000;

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
 * retention, login events past 24 months, expired sessions and email codes, tracks past their
 * organization's recording retention, expired share access grants, the blobs of
 * crypto-erased objects, expired sign-ups and attempt counters, `.part` blobs of writes a
 * crash cut short, the previews of revoked and expired links, and deleted organizations' audit
 * chains 12 months after they were tombstoned.
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
    tracks: 0,
    shareGrants: 0,
    partialBlobs: 0,
    renditions: 0,
    auditEvents: 0,
  };
  const dueUsers: string[] = await withSystem(deps.db, (tx) =>
    tx('users').whereNotNull('delete_after').where('delete_after', '<=', now).pluck('id'),
  );
  const dueOrgs: string[] = await withSystem(deps.db, (tx) =>
    tx('organizations').whereNotNull('delete_after').where('delete_after', '<=', now).pluck('id'),
  );
  for (const tenantId of dueOrgs) {
    await withSystem(deps.db, async (tx) => {
      await tx('objects')
        .where({ tenant_id: tenantId })
        .update({ wrapped_key: null, erased_at: now });
      // Recording sessions' keys too: every session track and transcript goes with them.
      await tx('recording_sessions')
        .where({ tenant_id: tenantId })
        .update({ wrapped_key: null, erased_at: now });
    });
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
  // The record of a served preview goes with the mappings' retention once its file is gone.
  await withSystem(deps.db, (tx) =>
    tx('marked_renditions')
      .whereNull('object_id')
      .where('created_at', '<=', new Date(now.getTime() - FORENSIC_RETENTION_MS))
      .del(),
  );
  report.tracks = await expireTracks(deps, now);
  report.renditions = await expireRenditions(deps, now);
  report.blobs += await sweepErasedObjects(deps);
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
    // A user's sign-in events go after the longest policy of their organizations (12 months
    // when they have none), and never later than 24 months.
    const logins = (
      await tx.raw(
        `DELETE FROM login_events l
         WHERE l.at < ?::timestamptz - make_interval(days => LEAST(?, COALESCE(
           (SELECT max(o.login_log_retention_days) FROM memberships m
              JOIN organizations o ON o.id = m.tenant_id WHERE m.user_id = l.user_id), ?)))
         RETURNING l.id`,
        [now, LOGIN_LOG_RETENTION_MS / 86_400_000, DEFAULT_LOGIN_LOG_DAYS],
      )
    ).rows;
    const sessions = await tx('sessions').where('expires_at', '<', now).del().returning('id');
    const codes = await tx('email_codes').where('expires_at', '<', now).del().returning('id');
    const signUps = await tx('pending_registrations')
      .where('expires_at', '<', now)
      .del()
      .returning('id');
    const counters = await pruneAttempts(tx, now);
    return logins.length + sessions.length + codes.length + signUps.length + counters;
  });
  report.auditEvents = await withSystem(deps.db, async (tx) => {
    const cutoff = new Date(now.getTime() - TOMBSTONED_AUDIT_RETENTION_MS);
    const gone = await tx('audit_events')
      .whereNull('tenant_id')
      .where('tombstoned_at', '<', cutoff)
      .del()
      .returning('chain_id');
    const chains = [...new Set(gone.map((r: { chain_id: string }) => r.chain_id))];
    if (chains.length > 0) {
      await tx('audit_checkpoints').whereNull('tenant_id').whereIn('chain_id', chains).del();
    }
    return gone.length;
  });
  const grants = await withSystem(deps.db, (tx) =>
    tx('share_grants').where('expires_at', '<', now).del().returning('id'),
  );
  report.shareGrants = grants.length;
  report.partialBlobs =
    (await deps.storage.sweepIncomplete?.(new Date(now.getTime() - PARTIAL_BLOB_AGE_MS))) ?? 0;
  return report;
}

/**
 * Deletes tracks older than their organization's recording retention: keys destroyed, rows
 * deleted and one audit event per track, in the tenant's transaction. Blobs follow in the sweep.
 */
async function expireTracks(deps: Pick<VaultDeps, 'db'>, now: Date): Promise<number> {
  const due: Array<{ id: string; tenant_id: string }> = await withSystem(deps.db, (tx) =>
    tx('tracks')
      .join('organizations', 'organizations.id', 'tracks.tenant_id')
      .whereNotNull('organizations.track_retention_days')
      .whereRaw(
        'tracks.created_at < ?::timestamptz - make_interval(days => organizations.track_retention_days)',
        [now],
      )
      .select('tracks.id', 'tracks.tenant_id'),
  );
  for (const t of due) {
    await withTenant(deps.db, t.tenant_id, async (tx) => {
      const objectIds = await tx('track_versions')
        .where({ track_id: t.id })
        .whereNotNull('object_id')
        .pluck('object_id');
      await eraseObjects(tx, objectIds, now);
      await tx('tracks').where({ id: t.id }).del();
      await appendAudit(tx, now, {
        tenantId: t.tenant_id,
        action: 'track.expire',
        objectType: 'track',
        objectId: t.id,
      });
    });
  }
  return due.length;
}

/**
 * Crypto-erases the stored previews nobody can play any more: their recipient's link is revoked,
 * or its share revoked or expired (an extended share renders them again on the next play). The
 * sweep that follows deletes their blobs and rows.
 */
async function expireRenditions(deps: Pick<VaultDeps, 'db'>, now: Date): Promise<number> {
  const erased = await withSystem(deps.db, (tx) =>
    tx.raw(
      `UPDATE objects o SET wrapped_key = NULL, erased_at = ?
       FROM marked_renditions r
       JOIN forensic_marks m ON m.tenant_id = r.tenant_id AND m.key_id = r.key_id AND m.payload = r.payload
       JOIN share_recipients sr ON sr.id = m.recipient_id
       JOIN shares s ON s.id = sr.share_id
       WHERE o.id = r.object_id AND o.wrapped_key IS NOT NULL
         AND (sr.revoked_at IS NOT NULL OR s.revoked_at IS NOT NULL OR s.expires_at <= ?)
       RETURNING o.id`,
      [now, now],
    ),
  );
  return erased.rows.length;
}

/**
 * Deletes the blobs of crypto-erased objects, then their rows. Idempotent: a crash between the
 * two leaves a row whose blob is already gone, which the next run removes.
 */
async function sweepErasedObjects(deps: Pick<VaultDeps, 'db' | 'storage'>): Promise<number> {
  const rows: Array<{ id: string; storage_key: string }> = await withSystem(deps.db, (tx) =>
    tx('objects').whereNotNull('erased_at').select('id', 'storage_key').limit(10_000),
  );
  for (const r of rows) {
    await deps.storage.delete(r.storage_key);
    await withSystem(deps.db, (tx) => tx('objects').where({ id: r.id }).del());
  }
  return rows.length;
}
