import { createHmac } from 'node:crypto';
import type { Vault } from '@vaultmark/vault-core';
import type { Middleware, ParameterizedContext } from 'koa';
import { HttpError } from '../http-error.js';

/** Counts hits per key in fixed windows. */
export interface RateLimitStore {
  /** Records one hit and returns the number of hits in the current window. */
  hit(key: string, windowMs: number, now: number): number | Promise<number>;
}

/**
 * The store the vault server uses: counters in the vault's database, so every server on one
 * PostgreSQL shares them and an attacker spreading requests over N servers gets no N-fold
 * budget. Keys (which hold client addresses) are stored only as an HMAC under a server secret.
 */
export class DatabaseRateLimitStore implements RateLimitStore {
  constructor(
    private readonly vault: Pick<Vault, 'accounts'>,
    private readonly keySecret: Uint8Array,
  ) {}

  async hit(key: string, windowMs: number): Promise<number> {
    const digest = createHmac('sha256', this.keySecret).update(key).digest('base64url');
    const { count } = await this.vault.accounts.hitRateLimit(`rate:${digest}`, {
      max: Number.MAX_SAFE_INTEGER,
      windowMs,
    });
    return count;
  }
}

/**
 * An in-process store, for an app without a vault (tests, embedding). With several servers
 * each keeps its own counts, so the effective limit is per server.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, { start: number; count: number }>();

  hit(key: string, windowMs: number, now: number): number {
    const window = this.windows.get(key);
    if (!window || now - window.start >= windowMs) {
      if (this.windows.size > 100_000) this.sweep(windowMs, now);
      this.windows.set(key, { start: now, count: 1 });
      return 1;
    }
    window.count += 1;
    return window.count;
  }

  private sweep(windowMs: number, now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= windowMs) this.windows.delete(key);
    }
  }
}

/** A named limit: at most `max` requests per `windowMs` for each key `keyOf` returns. */
export interface RateLimitRule {
  name: string;
  max: number;
  windowMs: number;
  keyOf(ctx: ParameterizedContext): string;
}

/** Rejects requests over the limit with 429 `rate_limited` and a `Retry-After` header. */
export function rateLimit(
  rule: RateLimitRule,
  store: RateLimitStore,
  now: () => number = Date.now,
): Middleware {
  return async (ctx, next) => {
    const count = await store.hit(`${rule.name}:${rule.keyOf(ctx)}`, rule.windowMs, now());
    if (count > rule.max) {
      throw new HttpError(429, 'rate_limited', 'too many requests; try again later', {
        'Retry-After': String(Math.ceil(rule.windowMs / 1000)),
      });
    }
    await next();
  };
}
