import { randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { newToken, tokenHash } from '../crypto/access-token.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { linkBase } from '../shares/share-input.js';
import { GUEST_TOKEN_MAX_MS, type GuestScope } from '../tenancy/guest-tokens.js';

/** A guest reviewer invited to one project (folder) or track. */
export interface GuestInvitation {
  id: string;
  /** The guest token the invitation's link carries (revoking it ends the invitation). */
  guestTokenId: string;
  name: string;
  email: string;
  scope: GuestScope;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  uses: number;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toInvitation(r: any): GuestInvitation {
  return {
    id: r.id,
    guestTokenId: r.guest_token_id,
    name: r.name,
    email: r.email,
    scope: r.track_id ? { trackId: r.track_id } : { folderId: r.folder_id },
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    uses: Number(r.uses ?? 0),
  };
}

const INVITATION_COLUMNS = [
  'guest_invitations.id',
  'guest_invitations.guest_token_id',
  'guest_invitations.name',
  'guest_invitations.email',
  'guest_invitations.created_at',
  'guest_tokens.track_id',
  'guest_tokens.folder_id',
  'guest_tokens.expires_at',
  'guest_tokens.revoked_at',
  'guest_tokens.last_used_at',
  'guest_tokens.uses',
];

/**
 * An admin invites a guest reviewer by name and email to one folder (a project) or one track,
 * until `expiresAt` (at most 90 days). The guest gets an email with a link, `linkBase + token`;
 * the link alone opens nothing: the guest signs in with it and a code emailed to the same
 * address. Audited as `guest.invite`. The link is returned once (`mailed` says whether the mail
 * port took it), so an admin can pass it on by hand.
 */
export async function inviteGuest(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  actor: Actor,
  input: { name: string; email: string; scope: GuestScope; expiresAt: Date; linkBase: string },
): Promise<{ invitation: GuestInvitation; url: string; mailed: boolean }> {
  authorize(actor, 'guestToken', 'create');
  const name = typeof input?.name === 'string' ? input.name.trim().slice(0, 200) : '';
  if (!name) throw new ValidationError('name required', 'name');
  const email = normalizeEmail(input.email);
  const base = linkBase(input.linkBase);
  const now = deps.clock.now();
  const expiresAt = new Date(input.expiresAt);
  if (!(expiresAt > now) || expiresAt.getTime() - now.getTime() > GUEST_TOKEN_MAX_MS) {
    throw new ValidationError('expiry must be in the next 90 days', 'expiresAt');
  }
  const trackId = input.scope && 'trackId' in input.scope ? input.scope.trackId : null;
  const folderId = input.scope && 'folderId' in input.scope ? input.scope.folderId : null;
  const target = trackId ?? folderId;
  const token = newToken();
  const { invitation, what, org } = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const scoped = isUuid(target)
      ? trackId
        ? await tx('tracks').where({ id: target }).first('title as name')
        : await tx('folders').where({ id: target }).first('name')
      : undefined;
    if (!scoped) throw new NotFoundError(trackId ? 'track' : 'folder');
    const guestTokenId = randomUUID();
    await tx('guest_tokens').insert({
      id: guestTokenId,
      tenant_id: actor.tenantId,
      token_hash: tokenHash(token),
      label: name,
      track_id: trackId,
      folder_id: folderId,
      created_by: actor.userId,
      created_at: now,
      expires_at: expiresAt,
    });
    const id = randomUUID();
    await tx('guest_invitations').insert({
      id,
      tenant_id: actor.tenantId,
      guest_token_id: guestTokenId,
      name,
      email,
      created_by: actor.userId,
      created_at: now,
    });
    await appendActorAudit(tx, now, actor, {
      action: 'guest.invite',
      objectType: 'guest_token',
      objectId: guestTokenId,
      detail: { invitationId: id, ...(trackId ? { trackId } : { folderId }) },
    });
    const row = await tx('guest_invitations')
      .join('guest_tokens', 'guest_tokens.id', 'guest_invitations.guest_token_id')
      .where({ 'guest_invitations.id': id })
      .first(INVITATION_COLUMNS);
    const o = await tx('organizations').where({ id: actor.tenantId }).first('name');
    return { invitation: toInvitation(row), what: scoped.name as string, org: o?.name as string };
  });
  const url = base + token;
  let mailed = true;
  try {
    await deps.mailer.send({
      to: email,
      subject: `${org} invites you to review "${what}"`,
      text: `${name}, ${org} invites you to listen to and comment on "${what}" until ${expiresAt.toUTCString()}.\n\nOpen ${url}\nand sign in with the code we email you there. Keep the link to yourself: every use is logged.\n`,
    });
  } catch {
    mailed = false;
  }
  return { invitation, url, mailed };
}

/** The organization's guest invitations, newest first, with their use counts (members). */
export async function listGuestInvitations(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<GuestInvitation[]> {
  authorize(actor, 'guestToken', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('guest_invitations')
      .join('guest_tokens', 'guest_tokens.id', 'guest_invitations.guest_token_id')
      .orderBy('guest_invitations.created_at', 'desc')
      .select(INVITATION_COLUMNS),
  );
  return rows.map(toInvitation);
}

/** One logged use of a guest's access: when, from which (hashed) address, and what. */
export interface GuestUse {
  at: Date;
  action: string;
  ipHash: string | null;
}

/**
 * Every logged use of an invitation's access, newest first (members): sign-ins, codes asked
 * for, each request of the guest, from the audit log with the time and hashed address.
 */
export async function listGuestUses(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  invitationId: string,
): Promise<GuestUse[]> {
  authorize(actor, 'guestToken', 'read');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const inv = isUuid(invitationId)
      ? await tx('guest_invitations').where({ id: invitationId }).first('guest_token_id')
      : undefined;
    if (!inv) throw new NotFoundError('guest invitation');
    const rows = await tx('audit_events')
      .where({ object_type: 'guest_token', object_id: inv.guest_token_id })
      .orderBy('seq', 'desc')
      .limit(1000)
      .select('at', 'action', 'ip_hash');
    return rows.map((r) => ({ at: new Date(r.at), action: r.action, ipHash: r.ip_hash ?? null }));
  });
}

/**
 * Revokes an invitation (admins): its link stops working and every guest session it opened
 * ends at once. Audited as `guest.revoke`.
 */
export async function revokeGuestInvitation(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  invitationId: string,
): Promise<void> {
  authorize(actor, 'guestToken', 'revoke');
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const inv = isUuid(invitationId)
      ? await tx('guest_invitations').where({ id: invitationId }).first('guest_token_id')
      : undefined;
    if (!inv) throw new NotFoundError('guest invitation');
    const now = deps.clock.now();
    await tx('guest_tokens')
      .where({ id: inv.guest_token_id })
      .whereNull('revoked_at')
      .update({ revoked_at: now });
    await tx('guest_sessions').where({ guest_token_id: inv.guest_token_id }).del();
    await appendActorAudit(tx, now, actor, {
      action: 'guest.revoke',
      objectType: 'guest_token',
      objectId: inv.guest_token_id,
      detail: { invitationId },
    });
  });
}
