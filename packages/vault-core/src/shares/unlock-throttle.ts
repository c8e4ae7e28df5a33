import type { Tx } from '../db/transactions.js';

/**
 * Brute-force throttle of share passwords. Two counters per recipient link, both in
 * `share_unlock_throttle`: one per hashed client IP, strict, so a guesser is slowed down without
 * locking out other people behind other addresses; and one for the whole link (`ip_hash = '*'`),
 * much looser, capping a guesser who rotates addresses. Each attempt is counted before the
 * password is checked (in a short transaction holding the counter row), so concurrent guesses
 * cannot slip past the limit; a correct password resets both counters.
 */
export const UNLOCK_THROTTLE = {
  /** Free failures per (link, IP) in a window; each further one doubles the wait from 30 s. */
  perIp: { free: 5, baseMs: 30_000 },
  /** Free failures per link over all addresses; then waits double from 60 s. */
  perLink: { free: 50, baseMs: 60_000 },
  /** Counters reset after a quiet hour. */
  windowMs: 3600_000,
  /** Longest wait. */
  maxLockMs: 3600_000,
} as const;

const LINK_WIDE = '*';
const ipKey = (ipHash: string | null) => (ipHash && ipHash !== LINK_WIDE ? ipHash : 'unknown');

async function reserve(
  tx: Tx,
  at: Date,
  ids: { tenantId: string; recipientId: string; ipHash: string },
  rule: { free: number; baseMs: number },
): Promise<number | null> {
  await tx.raw(
    `INSERT INTO share_unlock_throttle (tenant_id, recipient_id, ip_hash, failures, window_started_at)
     VALUES (?, ?, ?, 0, ?) ON CONFLICT (recipient_id, ip_hash) DO NOTHING`,
    [ids.tenantId, ids.recipientId, ids.ipHash, at],
  );
  const row = await tx('share_unlock_throttle')
    .where({ recipient_id: ids.recipientId, ip_hash: ids.ipHash })
    .forUpdate()
    .first();
  const locked = row.locked_until ? new Date(row.locked_until).getTime() : 0;
  if (locked > at.getTime()) return (locked - at.getTime()) / 1000;
  const stale = at.getTime() - new Date(row.window_started_at).getTime() > UNLOCK_THROTTLE.windowMs;
  const failures = stale ? 1 : Number(row.failures) + 1;
  const wait =
    failures >= rule.free
      ? Math.min(UNLOCK_THROTTLE.maxLockMs, rule.baseMs * 2 ** (failures - rule.free))
      : 0;
  await tx('share_unlock_throttle')
    .where({ recipient_id: ids.recipientId, ip_hash: ids.ipHash })
    .update({
      failures,
      window_started_at: stale ? at : row.window_started_at,
      locked_until: wait ? new Date(at.getTime() + wait) : null,
    });
  return null;
}

/**
 * Counts one unlock attempt against the client's and the link's counters. Returns `null` when
 * the attempt may proceed, or the seconds to wait when either counter is locked.
 */
export async function reserveUnlockAttempt(
  tx: Tx,
  at: Date,
  ids: { tenantId: string; recipientId: string; ipHash: string | null },
): Promise<number | null> {
  const perIp = await reserve(tx, at, { ...ids, ipHash: ipKey(ids.ipHash) }, UNLOCK_THROTTLE.perIp);
  if (perIp !== null) return perIp;
  return reserve(tx, at, { ...ids, ipHash: LINK_WIDE }, UNLOCK_THROTTLE.perLink);
}

/** Resets the client's and the link's counters after a correct password. */
export async function clearUnlockAttempts(
  tx: Tx,
  recipientId: string,
  ipHash: string | null,
): Promise<void> {
  await tx('share_unlock_throttle')
    .where({ recipient_id: recipientId })
    .whereIn('ip_hash', [ipKey(ipHash), LINK_WIDE])
    .del();
}
