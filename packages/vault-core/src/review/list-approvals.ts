import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { toApproval, type VersionApprovals } from './approval.js';
import { type Reviewer, wroteIt } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/**
 * The decisions on one version of a track (default the current one) in the caller's tenant
 * transaction, newest first; `only` keeps one reviewer's (what a recipient or guest may see).
 */
export async function readApprovals(
  tx: Tx,
  trackId: string,
  who: Reviewer,
  options: { versionId?: string | null; only?: Reviewer } = {},
): Promise<VersionApprovals> {
  const { track, version } = await reviewedVersion(tx, trackId, options.versionId ?? undefined);
  const rows = await tx('review_approvals')
    .where({ track_id: track.id, version_id: version.id })
    .orderBy('updated_at', 'desc')
    .orderBy('id');
  return {
    version,
    items: rows
      .filter((r) => !options.only || wroteIt(r, 'reviewer', options.only))
      .map((r) => toApproval(r, version, wroteIt(r, 'reviewer', who))),
  };
}

/**
 * Who approved or asked for changes on a version of a track (members), with their notes and
 * times; the current version by default, so a new version starts with an empty list.
 */
export async function listApprovals(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
  options: { versionId?: string | null } = {},
): Promise<VersionApprovals> {
  authorize(actor, 'review', 'read');
  if (options.versionId != null && !isUuid(options.versionId)) {
    throw new ValidationError('unknown version', 'versionId');
  }
  return withTenant(deps.db, actor.tenantId, (tx) =>
    readApprovals(tx, trackId, { kind: 'member', userId: actor.userId, name: '' }, options),
  );
}
