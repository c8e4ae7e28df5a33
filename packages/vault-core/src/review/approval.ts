import type { ReviewVersion } from './track-version.js';

/** A reviewer's decision on a track version. */
export type ApprovalDecision = 'approved' | 'changes_requested';

/** One reviewer's decision on one version (the latest they recorded). */
export interface ReviewApproval {
  id: string;
  trackId: string;
  version: ReviewVersion;
  decision: ApprovalDecision;
  note: string | null;
  reviewer: { kind: 'member' | 'guest' | 'recipient'; name: string };
  /** Whether the caller recorded it. */
  mine: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The decisions on one version. */
export interface VersionApprovals {
  version: ReviewVersion;
  items: ReviewApproval[];
}

/** What a reviewer records. */
export interface ApprovalInput {
  decision: ApprovalDecision;
  note?: string | null;
  /** Default the track's current version. */
  versionId?: string | null;
}

export function toApproval(
  // biome-ignore lint/suspicious/noExplicitAny: database row
  r: any,
  version: ReviewVersion,
  mine: boolean,
): ReviewApproval {
  return {
    id: r.id,
    trackId: r.track_id,
    version,
    decision: r.decision,
    note: r.note ?? null,
    reviewer: { kind: r.reviewer_kind, name: r.reviewer_name },
    mine,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}
