import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { Actor } from '../policies.js';
import { cleanText, limit, optionalDate } from './share-input.js';
import { readShareSettings } from './share-settings.js';
import { getShare, type ShareDetail, shareForChange } from './shares.js';

const DAY = 86_400_000;

/** What may change on a share after it was made; absent fields stay as they are. */
export interface ShareChange {
  title?: string | null;
  note?: string | null;
  /** A new end: later (extend, also for an expired share) or earlier (shorten). */
  expiresAt?: Date | string;
  allowDownload?: boolean;
  /** Whether recipients may comment and approve. */
  allowFeedback?: boolean;
  /** Downloads per recipient; `null` removes the limit. */
  maxDownloads?: number | null;
}

/**
 * Changes a share's title, note, expiry or download rules, by its creator or an admin. The new
 * expiry must lie in the future, after the share opens, and within the organization's longest
 * share lifetime from now; a revoked share stays revoked and cannot be changed. The links stay
 * the same, and every recipient request reads the new rules. Audited as `share.update` with the
 * names of the changed fields.
 */
export async function updateShare(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  shareId: string,
  change: ShareChange,
): Promise<ShareDetail> {
  if (!change || typeof change !== 'object') throw new ValidationError('changes required');
  const columns: Record<string, unknown> = {};
  if ('title' in change) columns.title = cleanText(change.title, 'title', 300);
  if ('note' in change) columns.note = cleanText(change.note, 'note', 5000);
  if ('allowDownload' in change) {
    if (typeof change.allowDownload !== 'boolean') {
      throw new ValidationError('allowDownload must be true or false', 'allowDownload');
    }
    columns.allow_download = change.allowDownload;
  }
  if ('allowFeedback' in change) {
    if (typeof change.allowFeedback !== 'boolean') {
      throw new ValidationError('allowFeedback must be true or false', 'allowFeedback');
    }
    columns.allow_feedback = change.allowFeedback;
  }
  if ('maxDownloads' in change) columns.max_downloads = limit(change.maxDownloads, 'maxDownloads');
  const expiresAt = 'expiresAt' in change ? optionalDate(change.expiresAt, 'expiresAt') : null;
  if ('expiresAt' in change && !expiresAt)
    throw new ValidationError('expiry required', 'expiresAt');
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await shareForChange(tx, actor, shareId, 'update');
    if (row.revoked_at) throw new ValidationError('a revoked share cannot be changed');
    const now = deps.clock.now();
    if (expiresAt) {
      const { maxExpiryDays } = await readShareSettings(tx, actor.tenantId);
      const opens = row.activates_at ? new Date(row.activates_at) : now;
      if (
        expiresAt <= now ||
        expiresAt <= opens ||
        expiresAt.getTime() - now.getTime() > maxExpiryDays * DAY
      ) {
        throw new ValidationError(
          `expiry must be within the next ${maxExpiryDays} days, after the share opens`,
          'expiresAt',
        );
      }
      columns.expires_at = expiresAt;
    }
    if (Object.keys(columns).length === 0) return;
    await tx('shares').where({ id: row.id }).update(columns);
    await appendActorAudit(tx, now, actor, {
      action: 'share.update',
      objectType: 'share',
      objectId: row.id,
      detail: {
        fields: Object.keys(columns).sort(),
        ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
      },
    });
  });
  return getShare(deps, actor, shareId);
}
