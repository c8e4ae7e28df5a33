import type { Tx } from '../db/transactions.js';

/** A studio member a comment can mention. */
export interface Mentionable {
  userId: string;
  name: string;
  email: string;
}

/** The members of the transaction's tenant (who may be mentioned), by id. */
export async function studioMembers(tx: Tx): Promise<Map<string, Mentionable>> {
  const rows = await tx('memberships')
    .join('users', 'users.id', 'memberships.user_id')
    .whereNull('users.deleted_at')
    .select('users.id', 'users.display_name', 'users.email');
  return new Map(
    rows.map((r) => [r.id as string, { userId: r.id, name: r.display_name, email: r.email }]),
  );
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The members a plain-text body mentions: `@` followed by a member's display name or email
 * address, case-insensitively, not followed by another letter or digit (so `@Ann` does not
 * mention "Anna"). Longer names are matched first, so `@Ann Lee` names Ann Lee, not Ann.
 */
export function findMentions(body: string, members: Iterable<Mentionable>): string[] {
  const found = new Set<string>();
  const candidates = [...members].flatMap((m) =>
    [m.name, m.email].filter(Boolean).map((text) => ({ text, userId: m.userId })),
  );
  candidates.sort((a, b) => b.text.length - a.text.length);
  let rest = body;
  for (const c of candidates) {
    const re = new RegExp(`@${literal(c.text)}(?![\\p{L}\\p{N}])`, 'giu');
    if (re.test(rest)) {
      found.add(c.userId);
      rest = rest.replace(re, ' ');
    }
  }
  return [...found];
}
