import { randomUUID } from 'node:crypto';
import {
  boundCodeHash,
  codeMatches,
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_TTL_MS,
  mayMailCode,
  newEmailCode,
} from '../accounts/email-code.js';
import { appendAudit } from '../audit/audit-log.js';
import { newToken, tokenHash } from '../crypto/access-token.js';
import { type Tx, withIdentity, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { InvalidCredentialsError, SessionInvalidError } from '../errors.js';
import { type GuestAccess, grantedAccess } from '../tenancy/guest-tokens.js';

/** A guest session lasts 12 hours (and never past its invitation's expiry). */
export const GUEST_SESSION_TTL_MS = 12 * 3600_000;

/** The invitation's link token: its tenant, guest token and invitation, if the link is usable now. */
async function invitationOf(deps: Pick<VaultDeps, 'db'>, link: string) {
  if (typeof link !== 'string' || link.length < 16 || link.length > 200) {
    throw new SessionInvalidError();
  }
  const found = await withSystem(deps.db, (tx) =>
    tx('guest_tokens')
      .join('guest_invitations', 'guest_invitations.guest_token_id', 'guest_tokens.id')
      .where({ 'guest_tokens.token_hash': tokenHash(link) })
      .first('guest_tokens.id', 'guest_tokens.tenant_id'),
  );
  if (!found) throw new SessionInvalidError();
  return found as { id: string; tenant_id: string };
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function usable(g: any, now: Date): boolean {
  return Boolean(g) && !g.revoked_at && new Date(g.expires_at) > now;
}

/**
 * Step one of a guest's sign-in: the invitation's link asks for a code, which is emailed to the
 * invited address (6 digits, 10 minutes, 5 attempts; a new one replaces the last). Audited as
 * `guest.code` with the hashed address. Unknown, revoked and expired links fail alike.
 */
export async function requestGuestCode(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  link: string,
  client: { ipHash?: string | null } = {},
): Promise<{ email: string }> {
  const found = await invitationOf(deps, link);
  const now = deps.clock.now();
  const code = newEmailCode();
  const sent = await withTenant(deps.db, found.tenant_id, async (tx) => {
    const g = await tx('guest_tokens').where({ id: found.id }).forUpdate().first();
    if (!usable(g, now)) return null;
    const inv = await tx('guest_invitations').where({ guest_token_id: g.id }).first();
    await tx('guest_invitations')
      .where({ id: inv.id })
      .update({
        code_hash: boundCodeHash('guest-code', inv.id, g.id, code),
        code_expires_at: new Date(now.getTime() + EMAIL_CODE_TTL_MS),
        code_attempts: 0,
      });
    await appendAudit(tx, now, {
      tenantId: g.tenant_id,
      action: 'guest.code',
      objectType: 'guest_token',
      objectId: g.id,
      ipHash: client.ipHash ?? null,
    });
    return { email: inv.email as string, mail: true };
  });
  if (!sent) throw new SessionInvalidError();
  const allowed = await withIdentity(deps.db, (tx) => mayMailCode(tx, sent.email, now));
  if (allowed) {
    await deps.mailer.send({
      to: sent.email,
      subject: `Your Vaultmark guest code: ${code}`,
      text: `Your code is ${code}. It expires in 10 minutes and works once.\n\nIf you did not ask for it, ignore this message.`,
    });
  }
  // Only the address's first letters: the page can say where the code went.
  return { email: sent.email.replace(/^(.).*(@.*)$/, '$1…$2') };
}

/**
 * Step two: the link and the emailed code open a guest session (a bearer token, 12 hours, never
 * past the invitation's expiry). A wrong code counts an attempt; after 5 the code is void.
 * Audited as `guest.sign_in` (or `guest.sign_in_failed`) with the hashed address.
 */
export async function signInGuest(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  link: string,
  code: string,
  client: { ipHash?: string | null } = {},
): Promise<{ session: string; expiresAt: Date; name: string }> {
  const found = await invitationOf(deps, link);
  const now = deps.clock.now();
  const session = newToken();
  const result = await withTenant(deps.db, found.tenant_id, async (tx) => {
    const g = await tx('guest_tokens').where({ id: found.id }).forUpdate().first();
    if (!usable(g, now)) return 'invalid' as const;
    const inv = await tx('guest_invitations').where({ guest_token_id: g.id }).first();
    const live =
      inv.code_hash &&
      new Date(inv.code_expires_at) > now &&
      Number(inv.code_attempts) < EMAIL_CODE_MAX_ATTEMPTS;
    const ok =
      live &&
      typeof code === 'string' &&
      /^\d{6}$/.test(code) &&
      codeMatches(inv.code_hash, boundCodeHash('guest-code', inv.id, g.id, code));
    const audit = (action: string) =>
      appendAudit(tx, now, {
        tenantId: g.tenant_id,
        action,
        objectType: 'guest_token',
        objectId: g.id,
        ipHash: client.ipHash ?? null,
      });
    if (!ok) {
      if (live) {
        await tx('guest_invitations')
          .where({ id: inv.id })
          .update({ code_attempts: Number(inv.code_attempts) + 1 });
      }
      await audit('guest.sign_in_failed');
      return 'wrong' as const;
    }
    const expiresAt = new Date(
      Math.min(now.getTime() + GUEST_SESSION_TTL_MS, new Date(g.expires_at).getTime()),
    );
    await tx('guest_invitations')
      .where({ id: inv.id })
      .update({ code_hash: null, code_expires_at: null, code_attempts: 0 });
    await tx('guest_sessions').where({ guest_token_id: g.id }).where('expires_at', '<=', now).del();
    await tx('guest_sessions').insert({
      id: randomUUID(),
      tenant_id: g.tenant_id,
      guest_token_id: g.id,
      token_hash: tokenHash(session),
      created_at: now,
      expires_at: expiresAt,
    });
    await audit('guest.sign_in');
    return { session, expiresAt, name: inv.name as string };
  });
  if (result === 'invalid') throw new SessionInvalidError();
  if (result === 'wrong') throw new InvalidCredentialsError('wrong or expired code');
  return result;
}

/** A signed-in guest: their access (logged as one use) inside their tenant's transaction. */
export interface GuestContext {
  access: GuestAccess;
  name: string;
}

/**
 * Runs `fn` for a guest session that is usable now: the session, its token (not revoked, not
 * expired) and its invitation. Each call is one logged use of the token (time, hashed address).
 * Anything unusable is `session_invalid`.
 */
export async function withGuest<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  session: string,
  client: { ipHash?: string | null },
  fn: (tx: Tx, guest: GuestContext, now: Date) => Promise<T>,
): Promise<T> {
  if (typeof session !== 'string' || session.length < 16 || session.length > 200) {
    throw new SessionInvalidError();
  }
  const hash = tokenHash(session);
  const found = await withSystem(deps.db, (tx) =>
    tx('guest_sessions').where({ token_hash: hash }).first('id', 'tenant_id', 'guest_token_id'),
  );
  if (!found) throw new SessionInvalidError();
  const now = deps.clock.now();
  const out = await withTenant(deps.db, found.tenant_id, async (tx) => {
    const s = await tx('guest_sessions').where({ id: found.id }).first('expires_at');
    if (!s || new Date(s.expires_at) <= now) return null;
    const g = await tx('guest_tokens').where({ id: found.guest_token_id }).forUpdate().first();
    const access = await grantedAccess(tx, now, g, client);
    if (!access) return null;
    const inv = await tx('guest_invitations').where({ guest_token_id: g.id }).first('name');
    return { value: await fn(tx, { access, name: inv?.name ?? g.label }, now) };
  });
  if (!out) throw new SessionInvalidError();
  return out.value;
}
