import { randomUUID } from 'node:crypto';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { isUuid, withIdentity, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize, ROLES, type Role } from '../policies.js';

/** Invitations stay open 14 days. */
export const INVITATION_TTL_MS = 14 * 86_400_000;

/** An invitation as the organization's admins see it. */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

/** An invitation as its invitee sees it. */
export interface ReceivedInvitation {
  id: string;
  organizationId: string;
  organizationName: string;
  role: Role;
  invitedBy: string | null;
  expiresAt: Date;
}

function roleOf(value: unknown): Role {
  if (!ROLES.includes(value as Role)) throw new ValidationError('unknown role', 'role');
  return value as Role;
}

/**
 * Invites an address to the actor's organization (admins; only owners invite owners). Nobody
 * becomes a member without accepting, and the answer and the mail are the same whether or not
 * the address has an account, so inviting reveals nothing about who is registered. A pending
 * invitation for the same address is replaced. `linkBase` is the page where invitations are
 * answered (e.g. `https://vault.example/account`), put in the mail when given.
 */
export async function inviteMember(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  actor: Actor,
  input: { email: string; role: Role; linkBase?: string | null },
): Promise<{ invitationId: string }> {
  authorize(actor, 'organization', 'manageMembers');
  const role = roleOf(input?.role);
  if (role === 'owner' && actor.role !== 'owner') {
    throw new ForbiddenError('only owners grant ownership');
  }
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  const id = randomUUID();
  const sent = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const org = await tx('organizations').where({ id: actor.tenantId }).first('name', 'personal');
    if (!org) throw new NotFoundError('organization');
    if (org.personal) throw new ValidationError('a personal account has one member', 'email');
    await tx('invitations')
      .where({ email })
      .whereNull('answered_at')
      .update({ answered_at: now, answer: 'revoked' });
    await tx('invitations').insert({
      id,
      tenant_id: actor.tenantId,
      email,
      role,
      invited_by: actor.userId,
      created_at: now,
      expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
    });
    await appendActorAudit(tx, now, actor, {
      action: 'member.invite',
      objectType: 'invitation',
      objectId: id,
      detail: { role },
    });
    const inviter = await tx('users').where({ id: actor.userId }).first('display_name');
    return { organization: org.name as string, inviter: (inviter?.display_name as string) ?? '' };
  });
  const where = input.linkBase
    ? ` on your account page: ${input.linkBase}`
    : ' on your account page';
  await deps.mailer
    .send({
      to: email,
      subject: `${sent.inviter} invited you to ${sent.organization} on Vaultmark`,
      text: `${sent.inviter} invited you to join ${sent.organization} on Vaultmark as ${role}.\n\nSign in with this address (or create an account with it) and accept or decline the invitation${where}. It stays open for 14 days.\n\nIf you do not know the sender, decline it or ignore this message: nothing changes without your answer.`,
    })
    .catch(() => undefined);
  return { invitationId: id };
}

/** Pending invitations of the actor's organization (admins). */
export async function listInvitations(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
): Promise<Invitation[]> {
  authorize(actor, 'organization', 'manageMembers');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('invitations')
      .whereNull('answered_at')
      .where('expires_at', '>', deps.clock.now())
      .orderBy('created_at', 'desc'),
  );
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
  }));
}

/** Withdraws a pending invitation (admins). */
export async function revokeInvitation(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  invitationId: string,
): Promise<void> {
  authorize(actor, 'organization', 'manageMembers');
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const done = isUuid(invitationId)
      ? await tx('invitations')
          .where({ id: invitationId })
          .whereNull('answered_at')
          .update({ answered_at: now, answer: 'revoked' })
          .returning('id')
      : [];
    if (done.length === 0) throw new NotFoundError('invitation');
    await appendActorAudit(tx, now, actor, {
      action: 'member.invite_revoke',
      objectType: 'invitation',
      objectId: invitationId,
    });
  });
}

async function emailOf(deps: Pick<VaultDeps, 'db'>, userId: string): Promise<string> {
  const user = await withIdentity(deps.db, (tx) =>
    tx('users').where({ id: userId }).whereNull('deleted_at').first('email'),
  );
  if (!user) throw new NotFoundError('user');
  return String(user.email).toLowerCase();
}

/**
 * The open invitations addressed to the user's email, across organizations (a system read, as
 * the invitee is not yet in any of them).
 */
export async function listMyInvitations(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
): Promise<ReceivedInvitation[]> {
  const email = await emailOf(deps, userId);
  const rows = await withSystem(deps.db, (tx) =>
    tx('invitations')
      .join('organizations', 'organizations.id', 'invitations.tenant_id')
      .leftJoin('users', 'users.id', 'invitations.invited_by')
      .where('invitations.email', email)
      .whereNull('invitations.answered_at')
      .where('invitations.expires_at', '>', deps.clock.now())
      .whereNull('organizations.delete_after')
      .orderBy('invitations.created_at', 'desc')
      .select(
        'invitations.id',
        'invitations.tenant_id',
        'organizations.name',
        'invitations.role',
        'users.display_name',
        'invitations.expires_at',
      ),
  );
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.tenant_id,
    organizationName: r.name,
    role: r.role,
    invitedBy: r.display_name ?? null,
    expiresAt: new Date(r.expires_at),
  }));
}

/**
 * Accepts or declines an invitation addressed to the user's email. Accepting makes the user a
 * member with the invited role (audited in the organization as the invitee's own act). Any other
 * invitation id, answered or expired ones included, is "not found".
 */
export async function answerInvitation(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
  invitationId: string,
  answer: 'accept' | 'decline',
): Promise<{ organizationId: string; role: Role }> {
  const email = await emailOf(deps, userId);
  const now = deps.clock.now();
  const found = isUuid(invitationId)
    ? await withSystem(deps.db, (tx) =>
        tx('invitations')
          .where({ id: invitationId, email })
          .whereNull('answered_at')
          .where('expires_at', '>', now)
          .first('tenant_id', 'role'),
      )
    : undefined;
  if (!found) throw new NotFoundError('invitation');
  await withTenant(deps.db, found.tenant_id, async (tx) => {
    const open = await tx('invitations')
      .where({ id: invitationId })
      .whereNull('answered_at')
      .forUpdate()
      .first('id');
    if (!open) throw new NotFoundError('invitation');
    await tx('invitations')
      .where({ id: invitationId })
      .update({ answered_at: now, answer: answer === 'accept' ? 'accepted' : 'declined' });
    if (answer === 'accept') {
      const existing = await tx('memberships').where({ user_id: userId }).first('role');
      if (!existing) {
        await tx('memberships').insert({
          tenant_id: found.tenant_id,
          user_id: userId,
          role: found.role,
          created_at: now,
          updated_at: now,
        });
      }
    }
    await appendAudit(tx, now, {
      tenantId: found.tenant_id,
      actorId: userId,
      action: answer === 'accept' ? 'member.join' : 'member.decline',
      objectType: 'invitation',
      objectId: invitationId,
      detail: { role: found.role },
    });
  });
  return { organizationId: found.tenant_id, role: found.role };
}
