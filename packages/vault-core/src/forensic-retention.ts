/**
 * How long a forensic mapping (which payload went to which person) is kept: 24 months after its
 * share (or the copy, for guests and members), then the purge deletes it. Shares, marked exits and
 * imported escrow files set `retain_until` from it.
 */
export const FORENSIC_RETENTION_MS = 730 * 86_400_000;
