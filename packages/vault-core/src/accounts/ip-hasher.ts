import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Tx } from '../db/transactions.js';

/**
 * Hashes client IP addresses with HMAC-SHA-256 under a random salt that changes every UTC day.
 * Salts live in `ip_salts` and are deleted once the day before yesterday ends, so hashes can be
 * compared within a day (rate limits, "same address") but never reversed later, not even by the
 * operator: the 2^32 IPv4 space is cheap to enumerate only while the salt exists.
 */
export async function hashIp(tx: Tx, ip: string, now: Date): Promise<string> {
  return hmacIp((await daySalt(tx, now)).salt, ip);
}

/** The salt of `now`'s UTC day, created on first use; older salts are deleted on the way. */
export async function daySalt(tx: Tx, now: Date): Promise<{ day: string; salt: Buffer }> {
  const day = now.toISOString().slice(0, 10);
  await tx.raw('INSERT INTO ip_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING', [
    day,
    randomBytes(32),
  ]);
  const row = await tx('ip_salts').where({ day }).first();
  const cutoff = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  await tx('ip_salts').where('day', '<', cutoff).del();
  return { day, salt: row.salt as Buffer };
}

/** The address's hash under a day's salt. */
export function hmacIp(salt: Buffer, ip: string): string {
  return createHmac('sha256', salt).update(normalizeIp(ip)).digest('hex').slice(0, 32);
}

/** Canonical text of an address (IPv4-mapped IPv6 as IPv4, lower-case IPv6). */
export function normalizeIp(ip: string): string {
  const trimmed = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(trimmed);
  if (mapped?.[1]) return mapped[1];
  return isIP(trimmed) ? trimmed : 'invalid';
}
