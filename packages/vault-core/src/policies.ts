import { ForbiddenError, NotFoundError } from './errors.js';

/** Organization roles, weakest first. */
export const ROLES = ['member', 'admin', 'owner'] as const;
/** An organization role. */
export type Role = (typeof ROLES)[number];

/** Who is acting: resolved from the database on every request, so role changes apply at once. */
export interface Actor {
  userId: string;
  /** The organization (tenant) the request is scoped to. */
  tenantId: string;
  role: Role;
  /** Daily-salted hash of the client address, for the audit log. */
  ipHash?: string | null;
}

/** A policy rule: receives the actor and the resource's tenant (and owner, when it has one). */
export type Rule = (
  actor: Actor,
  resource: { tenantId: string; createdBy?: string | null },
) => boolean;

function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** Rule: same tenant and at least `role`. The tenant check is part of every rule. */
export function atLeast(role: Role): Rule {
  return (actor, resource) =>
    actor.tenantId === resource.tenantId && rank(actor.role) >= rank(role);
}

/** Rule: same tenant and either at least `role` or the resource's creator. */
export function creatorOr(role: Role): Rule {
  return (actor, resource) =>
    actor.tenantId === resource.tenantId &&
    (rank(actor.role) >= rank(role) ||
      (resource.createdBy != null && resource.createdBy === actor.userId));
}

/**
 * The authorization table: resource -> action -> rule. Reading it answers "who may do what".
 */
export const POLICIES = {
  organization: {
    read: atLeast('member'),
    update: atLeast('admin'),
    manageMembers: atLeast('admin'),
    delete: atLeast('owner'),
    export: atLeast('owner'),
  },
  folder: {
    read: atLeast('member'),
    create: atLeast('member'),
    update: atLeast('member'),
    delete: atLeast('admin'),
  },
  track: {
    read: atLeast('member'),
    create: atLeast('member'),
    update: creatorOr('admin'),
    delete: creatorOr('admin'),
  },
  // Stored bytes unmarked: masters (and stems) leave unmarked only to owners and admins.
  object: { read: atLeast('admin'), readMaster: atLeast('admin'), erase: atLeast('admin') },
  share: {
    read: atLeast('member'),
    create: atLeast('member'),
    update: creatorOr('admin'),
    revoke: creatorOr('admin'),
    configure: atLeast('admin'),
  },
  watermarkKey: {
    read: atLeast('admin'),
    rotate: atLeast('admin'),
    export: atLeast('owner'),
    import: atLeast('owner'),
  },
  investigation: { create: atLeast('member'), read: atLeast('member') },
  // The organization's own KMS key (bring your own key): owners choose it, admins see it.
  encryptionKey: { read: atLeast('admin'), set: atLeast('owner') },
  audit: { read: atLeast('admin'), verify: atLeast('admin') },
  job: { read: atLeast('member') },
  guestToken: { read: atLeast('member'), create: atLeast('admin'), revoke: atLeast('admin') },
  // Recording sessions: members run them; the session's creator or an admin erases one.
  recordingSession: {
    read: atLeast('member'),
    create: atLeast('member'),
    update: atLeast('member'),
    delete: creatorOr('admin'),
  },
  // Each member's own feed and settings (every query is also scoped to the member).
  notification: { read: atLeast('member'), configure: atLeast('member') },
  // Audio review: members comment and approve; the track's creator or an admin resolves threads.
  review: {
    read: atLeast('member'),
    comment: atLeast('member'),
    approve: atLeast('member'),
    resolve: creatorOr('admin'),
  },
} as const satisfies Record<string, Record<string, Rule>>;

/** Resource kinds in {@link POLICIES}. */
export type Resource = keyof typeof POLICIES;

/**
 * Throws unless the table allows `action`. Another tenant's resource is reported as not found
 * (never as forbidden), so its existence is not revealed.
 */
export function authorize<R extends Resource>(
  actor: Actor,
  resource: R,
  action: keyof (typeof POLICIES)[R],
  target: { tenantId: string; createdBy?: string | null } = { tenantId: actor.tenantId },
): void {
  if (target.tenantId !== actor.tenantId) throw new NotFoundError(resource);
  const rule = POLICIES[resource][action] as Rule;
  if (!rule(actor, target)) throw new ForbiddenError(`${String(action)} ${resource} not allowed`);
}
