import { z } from 'zod';
import { attachment } from '../api/attachment.js';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { callerOf } from '../auth/caller.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const tags = ['organizations'];
const Role = z.enum(['member', 'admin', 'owner']);
const Member = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  joinedAt: z.string(),
});
const Members = z.object({ items: z.array(Member) });
const DownloadPolicy = z.object({ markOwnerDownloads: z.boolean() });
const EncryptionKey = z.object({
  keyId: z.string().nullable().describe('`kms:<KMS key id or ARN>`, or null: the deployment key'),
  available: z.boolean().describe('whether this deployment offers organizations their own key'),
  since: z.string().nullable(),
});
const EncryptionKeySet = EncryptionKey.extend({
  rewrapped: z.number().int().describe('data keys re-wrapped under the new key'),
  failed: z.number().int().describe('data keys that could not be (retried by `keys rotate`)'),
});
const Retention = z.object({
  accessLogDays: z.number().int().min(1).max(3650),
  trackDays: z.number().int().min(1).max(36_500).nullable(),
  loginLogDays: z
    .number()
    .int()
    .min(365)
    .max(730)
    .describe("days members' sign-in events are kept: 12 to 24 months, default 365"),
});
const RetentionInput = Retention.extend({ loginLogDays: Retention.shape.loginLogDays.optional() });

/**
 * Organizations (studios): the caller's memberships, creating one, and its members with roles.
 * Routes under `/api/organization/` act in the organization the request is scoped to (header
 * `X-Vaultmark-Organization`, else the personal one); the role rules live in vault-core.
 */
export function organizationRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  const members = async (actor: ReturnType<typeof actorOf>) => ({
    items: (await vault.organizations.listMembers(actor)).map((m) => ({
      userId: m.userId,
      email: m.email,
      displayName: m.displayName,
      role: m.role,
      joinedAt: m.joinedAt.toISOString(),
    })),
  });
  return [
    defineRoute({
      method: 'get',
      path: '/api/organizations',
      summary: 'The organizations the caller belongs to (personal first)',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'memberships',
          schema: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                role: Role,
                personal: z.boolean(),
                joinedAt: z.string(),
                deleteAfter: z.string().nullable(),
              }),
            ),
          }),
        },
      },
      handler: async (koa) => ({
        status: 200,
        body: {
          items: (await vault.accounts.listMemberships(callerOf(koa).userId)).map((m) => ({
            id: m.organizationId,
            name: m.name,
            role: m.role,
            personal: m.personal,
            joinedAt: m.joinedAt.toISOString(),
            deleteAfter: m.deleteAfter ? m.deleteAfter.toISOString() : null,
          })),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/organizations',
      summary: 'Create an organization (a shared workspace); the caller becomes its owner',
      tags,
      auth: 'user',
      body: z.object({ name: z.string().min(1).max(200) }),
      responses: { 201: { description: 'created', schema: z.object({ id: z.string() }) } },
      handler: async (koa, { body }) => ({
        status: 201,
        body: { id: await vault.organizations.create(callerOf(koa).userId, body) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/members',
      summary: 'Members of the organization this request acts in',
      tags,
      auth: 'user',
      responses: { 200: { description: 'members', schema: Members } },
      handler: async (koa) => ({ status: 200, body: await members(actorOf(koa)) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/members',
      summary:
        'Change a member’s role, or invite an address to join (admins; owners for owners). Nobody joins without accepting',
      tags,
      auth: 'user',
      body: z.object({ email: z.string().min(3).max(254), role: Role }),
      responses: {
        200: { description: 'a member’s role changed; members after the change', schema: Members },
        202: {
          description:
            'an invitation was sent (the same answer whether or not the address has an account)',
          schema: z.object({ invited: z.literal(true) }),
        },
      },
      handler: async (koa, { body }) => {
        const actor = actorOf(koa);
        const { invited } = await vault.organizations.setMember(actor, {
          ...body,
          linkBase: `${ctx.config.publicBaseUrl}/account`,
        });
        if (invited) return { status: 202, body: { invited: true as const } };
        return { status: 200, body: await members(actor) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/invitations',
      summary: 'Open invitations of the organization this request acts in (admins)',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'invitations',
          schema: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                email: z.string(),
                role: Role,
                createdAt: z.string(),
                expiresAt: z.string(),
              }),
            ),
          }),
        },
      },
      handler: async (koa) => ({
        status: 200,
        body: {
          items: (await vault.organizations.listInvitations(actorOf(koa))).map((i) => ({
            id: i.id,
            email: i.email,
            role: i.role,
            createdAt: i.createdAt.toISOString(),
            expiresAt: i.expiresAt.toISOString(),
          })),
        },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/organization/invitations/:id',
      summary: 'Withdraw an open invitation (admins)',
      tags,
      auth: 'user',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'withdrawn' } },
      handler: async (koa, { params }) => {
        await vault.organizations.revokeInvitation(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/invitations',
      summary: 'Invitations addressed to the signed-in user, from any organization',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'open invitations',
          schema: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                organizationId: z.string(),
                organizationName: z.string(),
                role: Role,
                invitedBy: z.string().nullable(),
                expiresAt: z.string(),
              }),
            ),
          }),
        },
      },
      handler: async (koa) => ({
        status: 200,
        body: {
          items: (await vault.organizations.listMyInvitations(callerOf(koa).userId)).map((i) => ({
            ...i,
            expiresAt: i.expiresAt.toISOString(),
          })),
        },
      }),
    }),
    ...(['accept', 'decline'] as const).map((answer) =>
      defineRoute({
        method: 'post',
        path: `/api/invitations/:id/${answer}`,
        summary:
          answer === 'accept'
            ? 'Accept an invitation: join the organization with the invited role'
            : 'Decline an invitation',
        tags,
        auth: 'user',
        params: z.object({ id: z.uuid() }),
        responses: {
          200: {
            description: 'answered',
            schema: z.object({ organizationId: z.string(), role: Role }),
          },
        },
        handler: async (koa, { params }) => ({
          status: 200,
          body: await vault.organizations.answerInvitation(callerOf(koa).userId, params.id, answer),
        }),
      }),
    ),
    defineRoute({
      method: 'delete',
      path: '/api/organization/members/:userId',
      summary: 'Remove a member (admins), or leave the organization (oneself)',
      tags,
      auth: 'user',
      params: z.object({ userId: z.uuid() }),
      responses: { 204: { description: 'removed' } },
      handler: async (koa, { params }) => {
        await vault.organizations.removeMember(actorOf(koa), params.userId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/organization/export',
      summary:
        'Export everything (members, library, shares, mappings, audit, audio) encrypted (owners)',
      tags,
      auth: 'user',
      body: z.object({ passphrase: z.string().min(12).max(1024) }),
      responses: {
        200: {
          description: 'an encrypted tarball (VMX1: scrypt-derived key, chunked AES-256-GCM)',
          contentType: 'application/octet-stream',
        },
      },
      handler: async (koa, { body }) => {
        const stream = await vault.lifecycle.exportOrganization(actorOf(koa), body);
        koa.set(attachment('vaultmark-organization.tar.vmx', 'application/octet-stream'));
        koa.body = stream;
        return { status: 200 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/retention',
      summary: 'How long the access log and recordings are kept',
      tags,
      auth: 'user',
      responses: { 200: { description: 'the policy', schema: Retention } },
      handler: async (koa) => ({
        status: 200,
        body: await vault.organizations.getRetentionPolicy(actorOf(koa)),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/retention',
      summary: 'Set the retention policy (admins); expired recordings are crypto-erased',
      tags,
      auth: 'user',
      body: RetentionInput,
      responses: { 200: { description: 'the policy', schema: Retention } },
      handler: async (koa, { body }) => {
        const actor = actorOf(koa);
        await vault.organizations.setRetentionPolicy(actor, body);
        return { status: 200, body: await vault.organizations.getRetentionPolicy(actor) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/download-policy',
      summary: 'Whether owners’ downloads are marked too (members’ always are)',
      tags,
      auth: 'user',
      responses: { 200: { description: 'the policy', schema: DownloadPolicy } },
      handler: async (koa) => ({
        status: 200,
        body: await vault.organizations.getDownloadPolicy(actorOf(koa)),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/download-policy',
      summary: 'Mark owners’ downloads too, or not (admins); the master stays available on request',
      tags,
      auth: 'user',
      body: DownloadPolicy,
      responses: { 200: { description: 'the policy', schema: DownloadPolicy } },
      handler: async (koa, { body }) => {
        const actor = actorOf(koa);
        await vault.organizations.setDownloadPolicy(actor, body);
        return { status: 200, body: await vault.organizations.getDownloadPolicy(actor) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/encryption-key',
      summary: "The organization's own KMS key wrapping its data keys, if any (admins)",
      tags,
      auth: 'user',
      responses: { 200: { description: 'the key', schema: EncryptionKey } },
      handler: async (koa) => {
        const key = await vault.keys.getOrganizationKey(actorOf(koa));
        return { status: 200, body: { ...key, since: key.since?.toISOString() ?? null } };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/encryption-key',
      summary:
        'Bring your own KMS key (owners): checked first, then every data key is re-wrapped by it; disabling it in the KMS locks the organization’s audio (423 key_unavailable)',
      tags,
      auth: 'user',
      body: z.object({ kmsKeyId: z.string().min(1).max(2048) }),
      responses: { 200: { description: 'the key in use', schema: EncryptionKeySet } },
      handler: async (koa, { body }) => {
        const key = await vault.keys.setOrganizationKey(actorOf(koa), body);
        return { status: 200, body: { ...key, since: key.since?.toISOString() ?? null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/organization/delete',
      summary: 'Delete the organization after a 7-day grace period (owners)',
      tags,
      auth: 'user',
      responses: {
        202: { description: 'scheduled', schema: z.object({ deleteAfter: z.string() }) },
      },
      handler: async (koa) => {
        const { deleteAfter } = await vault.lifecycle.requestOrganizationDeletion(actorOf(koa));
        return { status: 202, body: { deleteAfter: deleteAfter.toISOString() } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/organization/delete/cancel',
      summary: 'Cancel a scheduled organization deletion (owners)',
      tags,
      auth: 'user',
      responses: {
        200: { description: 'cancelled', schema: z.object({ cancelled: z.literal(true) }) },
      },
      handler: async (koa) => {
        await vault.lifecycle.cancelOrganizationDeletion(actorOf(koa));
        return { status: 200, body: { cancelled: true as const } };
      },
    }),
  ];
}
