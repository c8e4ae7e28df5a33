import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { type ApprovalInput, type ReviewApproval, toApproval } from './approval.js';
import { memberReviewer } from './post-comment.js';
import { type NotifyDeps, notifyApproval } from './review-notifications.js';
import { type Reviewer, reviewerColumns, reviewerKey } from './reviewer.js';
import { reviewedVersion } from './track-version.js';

/** What {@link insertApproval} stored, with what a notification needs. */
export interface RecordedApproval {
  approval: ReviewApproval;
  trackTitle: string;
  trackCreatedBy: string | null;
}

/**
 * Records a reviewer's decision on a version in the caller's tenant transaction: one per
 * reviewer and version (a later decision replaces theirs; a new version starts with none).
 * Audited as `review.approval` with the decision.
 */
export async function insertApproval(
  tx: Tx,
  deps: NotifyDeps,
  now: Date,
  ctx: { tenantId: string; actorId: string | null; ipHash: string | null },
  who: Reviewer,
  trackId: string,
  input: ApprovalInput,
): Promise<RecordedApproval> {
  const decision = input?.decision;
  if (decision !== 'approved' && decision !== 'changes_requested') {
    throw new ValidationError('decision must be approved or changes_requested', 'decision');
  }
  const noteIn = input.note;
  if (noteIn != null && typeof noteIn !== 'string')
    throw new ValidationError('note must be text', 'note');
  const note = noteIn?.trim() ? noteIn.trim() : null;
  if (note && note.length > 2000)
    throw new ValidationError('note is limited to 2000 characters', 'note');
  const { track, version } = await reviewedVersion(tx, trackId, input.versionId ?? undefined);
  const [row] = await tx('review_approvals')
    .insert({
      id: randomUUID(),
      tenant_id: ctx.tenantId,
      track_id: track.id,
      version_id: version.id,
      reviewer_key: reviewerKey(who),
      ...reviewerColumns('reviewer', who),
      decision,
      note,
      created_at: now,
      updated_at: now,
    })
    .onConflict(['version_id', 'reviewer_key'])
    .merge({ decision, note, updated_at: now, reviewer_name: who.name.slice(0, 200) })
    .returning('*');
  await appendAudit(tx, now, {
    tenantId: ctx.tenantId,
    actorId: ctx.actorId,
    ipHash: ctx.ipHash,
    action: 'review.approval',
    objectType: 'review_approval',
    objectId: row.id,
    detail: { trackId: track.id, versionId: version.id, decision, by: who.kind },
  });
  const approval = toApproval(row, version, true);
  await notifyApproval(tx, deps, ctx.tenantId, {
    approval,
    trackTitle: track.title,
    trackCreatedBy: track.createdBy,
    reviewerUserId: who.kind === 'member' ? who.userId : null,
  });
  return {
    approval,
    trackTitle: track.title,
    trackCreatedBy: track.createdBy,
  };
}

/**
 * A member records "approved" or "changes requested" on a track version (default the current
 * one), with an optional note. Audited as `review.approval`.
 */
export async function recordApproval(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  actor: Actor,
  trackId: string,
  input: ApprovalInput,
): Promise<ReviewApproval> {
  authorize(actor, 'review', 'approve');
  const recorded = await withTenant(deps.db, actor.tenantId, async (tx) =>
    insertApproval(
      tx,
      deps,
      deps.clock.now(),
      { tenantId: actor.tenantId, actorId: actor.userId, ipHash: actor.ipHash ?? null },
      await memberReviewer(tx, actor),
      trackId,
      input,
    ),
  );
  return recorded.approval;
}
