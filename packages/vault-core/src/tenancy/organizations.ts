import { randomUUID } from 'node:crypto';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { isUuid, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize, ROLES, type Role } from '../policies.js';
import { inviteMember } from './invitations.js';

/** A member of an organization. */
export interface Member {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  joinedAt: Date;
  updatedAt: Date;
}

function orgName(name: unknown): string {
  const n = typeof name === 'string' ? name.replace(/\p{Cc}/gu, '').trim() : '';
  if (!n || n.length > 200) throw new ValidationError('name must be 1-200 characters', 'name');
  return n;
}

function role(value: unknown): Role {
  if (!ROLES.includes(value as Role)) throw new ValidationError('unknown role', 'role');
  return value as Role;
}

/** Creates a shared organization (studio) owned by the user. Returns its id. */
export async function createOrganization(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
  input: { name: string },
): Promise<string> {
  const name = orgName(input.name);
  const id = randomUUID();
  const now = deps.clock.now();
  await withTenant(deps.db, id, async (tx) => {
    await tx('organizations').insert({ id, tenant_id: id, name, personal: false, created_at: now });
    await tx('memberships').insert({
      tenant_id: id,
      user_id: userId,
      role: 'owner',
      created_at: now,
      updated_at: now,
    });
    await appendAudit(tx, now, {
      tenantId: id,
      actorId: userId,
      action: 'organization.create',
      objectType: 'organization',
      objectId: id,
    });
  });
  return id;
}

/** Members of the actor's organization. */
export async function listMembers(deps: Pick<VaultDeps, 'db'>, actor: Actor): Promise<Member[]> {
  authorize(actor, 'organization', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('memberships')
      .join('users', 'users.id', 'memberships.user_id')
      .orderBy('memberships.created_at')
      .select(
        'user_id',
        'email',
        'display_name',
        'role',
        'memberships.created_at',
        'memberships.updated_at',
      ),
  );
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    joinedAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }));
}

/**
 * Changes a member's role, or invites someone who is not a member yet (see
 * {@link inviteMember}): nobody is added to an organization without accepting. Only an owner may
 * grant or change the owner role. The answer says which happened; for a non-member it is the same
 * whether or not the address has an account.
 */
export async function setMember(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  actor: Actor,
  input: { email: string; role: Role; linkBase?: string | null },
): Promise<{ invited: boolean }> {
  authorize(actor, 'organization', 'manageMembers');
  const newRole = role(input?.role);
  if (newRole === 'owner' && actor.role !== 'owner')
    throw new ForbiddenError('only owners grant ownership');
  const email = normalizeEmail(input.email);
  const changed = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const existing = await tx('memberships')
      .join('users', 'users.id', 'memberships.user_id')
      .whereRaw('lower(users.email) = ?', [email])
      .forUpdate()
      .first('memberships.user_id', 'memberships.role');
    if (!existing) return false;
    if (existing.role === 'owner' && actor.role !== 'owner')
      throw new ForbiddenError('only owners change owners');
    if (existing.role === 'owner' && newRole !== 'owner')
      await assertAnotherOwner(tx, existing.user_id);
    const now = deps.clock.now();
    await tx('memberships')
      .where({ user_id: existing.user_id })
      .update({ role: newRole, updated_at: now });
    await appendActorAudit(tx, now, actor, {
      action: 'member.role',
      objectType: 'user',
      objectId: existing.user_id,
      detail: { role: newRole },
    });
    return true;
  });
  if (changed) return { invited: false };
  await inviteMember(deps, actor, { email, role: newRole, linkBase: input.linkBase ?? null });
  return { invited: true };
}

// biome-ignore lint/suspicious/noExplicitAny: knex transaction
async function assertAnotherOwner(tx: any, leaving: string): Promise<void> {
  const others = await tx('memberships')
    .where({ role: 'owner' })
    .whereNot({ user_id: leaving })
    .first('user_id');
  if (!others) throw new ValidationError('an organization keeps at least one owner', 'role');
}

/** Removes a member (members may remove themselves); the last owner cannot leave. */
export async function removeMember(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  userId: string,
): Promise<void> {
  if (userId !== actor.userId) authorize(actor, 'organization', 'manageMembers');
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const m = isUuid(userId)
      ? await tx('memberships').where({ user_id: userId }).forUpdate().first()
      : undefined;
    if (!m) throw new NotFoundError('member');
    if (m.role === 'owner' && actor.role !== 'owner')
      throw new ForbiddenError('only owners remove owners');
    if (m.role === 'owner') await assertAnotherOwner(tx, userId);
    await tx('memberships').where({ user_id: userId }).del();
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'member.remove',
      objectType: 'user',
      objectId: userId,
    });
  });
}
