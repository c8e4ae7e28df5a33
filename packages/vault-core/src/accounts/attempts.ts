import type { Tx } from '../db/transactions.js';
import { withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { RateLimitedError } from '../errors.js';

/**
 * Attempt counters in the database, in fixed windows: every server on one database shares them,
 * so a limit holds however many servers an attacker spreads requests over. Used for the HTTP
 * rate limits (per address) and the per-account throttles of passwords and codes.
 */

/** A budget: at most `max` counted attempts per `windowMs`. */
export interface AttemptBudget {
  max: number;
  windowMs: number;
}

/** Failed password sign-ins per account (any address): 10 per 15 minutes. */
export const SIGN_IN_FAILURES: AttemptBudget = { max: 10, windowMs: 15 * 60_000 };
/** Failed password re-checks per account (delete, TOTP off, password change, API token). */
export const REAUTH_FAILURES: AttemptBudget = { max: 5, windowMs: 15 * 60_000 };
/** Emailed codes sent per address (sign-in and registration): 5 per 15 minutes. */
export const CODES_PER_ADDRESS: AttemptBudget = { max: 5, windowMs: 15 * 60_000 };

function windowOf(budget: AttemptBudget, now: Date): { start: Date; end: Date } {
  const start = Math.floor(now.getTime() / budget.windowMs) * budget.windowMs;
  return { start: new Date(start), end: new Date(start + budget.windowMs) };
}

/** Counts one attempt under `key` and returns the count in the current window. */
export async function recordAttempt(
  tx: Tx,
  key: string,
  budget: AttemptBudget,
  now: Date,
): Promise<number> {
  const { start, end } = windowOf(budget, now);
  const result = await tx.raw(
    `INSERT INTO attempt_counters (key, window_start, expires_at, count) VALUES (?, ?, ?, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = attempt_counters.count + 1
     RETURNING count`,
    [key, start, end],
  );
  return Number(result.rows[0].count);
}

/** The attempts counted under `key` in the current window. */
export async function attemptsSoFar(
  tx: Tx,
  key: string,
  budget: AttemptBudget,
  now: Date,
): Promise<number> {
  const row = await tx('attempt_counters')
    .where({ key, window_start: windowOf(budget, now).start })
    .first('count');
  return row ? Number(row.count) : 0;
}

/** Throws `rate_limited` (with the seconds until the window ends) when the budget is spent. */
export async function assertBudgetLeft(
  tx: Tx,
  key: string,
  budget: AttemptBudget,
  now: Date,
): Promise<void> {
  if ((await attemptsSoFar(tx, key, budget, now)) >= budget.max) {
    const { end } = windowOf(budget, now);
    throw new RateLimitedError((end.getTime() - now.getTime()) / 1000);
  }
}

/**
 * Counts a hit of a rate limit in its own transaction and returns the window's count and when
 * it ends: the shared store behind the server's per-route limits.
 */
export async function hitRateLimit(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  key: string,
  budget: AttemptBudget,
): Promise<{ count: number; resetAt: Date }> {
  const now = deps.clock.now();
  const count = await withIdentity(deps.db, (tx) => recordAttempt(tx, key, budget, now));
  return { count, resetAt: windowOf(budget, now).end };
}

/** Deletes counters whose window has ended (purge job). */
export async function pruneAttempts(tx: Tx, now: Date): Promise<number> {
  const gone = await tx('attempt_counters').where('expires_at', '<', now).del().returning('key');
  return gone.length;
}
