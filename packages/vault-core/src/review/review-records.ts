import type { Tx } from '../db/transactions.js';

/**
 * An organization's review records for export, read in its tenant transaction: comments (with
 * their authors' names and the members they mention), approval decisions per version, and
 * guest invitations (never code or token hashes).
 */
export async function reviewRecords(tx: Tx) {
  return {
    reviewComments: await tx('review_comments').select(
      'id',
      'track_id',
      'version_id',
      'parent_id',
      'body',
      'at_seconds',
      'end_seconds',
      'author_kind',
      'author_user_id',
      'author_recipient_id',
      'author_guest_id',
      'author_name',
      'mentions',
      'resolved_at',
      'resolved_by',
      'created_at',
      'edited_at',
    ),
    reviewApprovals: await tx('review_approvals').select(
      'id',
      'track_id',
      'version_id',
      'reviewer_kind',
      'reviewer_user_id',
      'reviewer_recipient_id',
      'reviewer_guest_id',
      'reviewer_name',
      'decision',
      'note',
      'created_at',
      'updated_at',
    ),
    guestInvitations: await tx('guest_invitations').select(
      'id',
      'guest_token_id',
      'name',
      'email',
      'created_by',
      'created_at',
    ),
  };
}
