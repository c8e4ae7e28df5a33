import { z } from 'zod';
import { attachment } from '../api/attachment.js';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { callerOf } from '../auth/caller.js';
import { clearSessionCookie } from '../auth/session-cookie.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const Session = z.object({
  id: z.string(),
  kind: z.enum(['browser', 'api']),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
const AuditEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  ipHash: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  hash: z.string(),
});

/** Data rights (export, deletion with grace), sessions, the login log and the audit trail. */
export function accountRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/account/export',
      summary: 'Download everything the vault holds about the account, as JSON',
      tags: ['account'],
      auth: 'user',
      responses: {
        200: {
          description: 'the export bundle (vaultmark-account-export/1)',
          schema: z.record(z.string(), z.unknown()),
        },
      },
      handler: async (koa) => ({
        status: 200,
        headers: attachment('vaultmark-account-export.json', 'application/json; charset=utf-8'),
        body: await vault.lifecycle.exportAccount(callerOf(koa).userId),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/account/delete',
      summary: 'Delete the account after a 30-day grace period (password required)',
      tags: ['account'],
      auth: 'user',
      body: z.object({ password: z.string().min(1).max(4096) }),
      responses: {
        202: {
          description: 'scheduled; every session has ended, signing in again allows cancelling',
          schema: z.object({ deleteAfter: z.string() }),
        },
      },
      handler: async (koa, { body }) => {
        const { deleteAfter } = await vault.lifecycle.requestAccountDeletion(
          callerOf(koa).userId,
          body,
        );
        clearSessionCookie(koa);
        return { status: 202, body: { deleteAfter: deleteAfter.toISOString() } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/account/delete/cancel',
      summary: 'Cancel a scheduled account deletion',
      tags: ['account'],
      auth: 'user',
      responses: {
        200: { description: 'cancelled', schema: z.object({ cancelled: z.literal(true) }) },
      },
      handler: async (koa) => {
        await vault.lifecycle.cancelAccountDeletion(callerOf(koa).userId);
        return { status: 200, body: { cancelled: true as const } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/account/sessions',
      summary: 'Live sessions and API tokens of the account',
      tags: ['account'],
      auth: 'user',
      responses: {
        200: {
          description: 'sessions, newest first',
          schema: z.object({ items: z.array(Session) }),
        },
      },
      handler: async (koa) => {
        const caller = callerOf(koa);
        const sessions = await vault.accounts.listSessions(caller.userId);
        return {
          status: 200,
          body: {
            items: sessions.map((s) => ({
              id: s.id,
              kind: s.kind,
              createdAt: s.createdAt.toISOString(),
              lastSeenAt: s.lastSeenAt.toISOString(),
              expiresAt: s.expiresAt.toISOString(),
              userAgent: s.userAgent,
              current: s.id === caller.sessionId,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/account/sessions/:id',
      summary: 'Revoke one session or API token',
      tags: ['account'],
      auth: 'user',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'revoked' } },
      handler: async (koa, { params }) => {
        await vault.accounts.revokeSession(callerOf(koa).userId, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/account/logins',
      summary: 'The login log (successes and failures), newest first',
      tags: ['account'],
      auth: 'user',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      responses: {
        200: {
          description: 'login events',
          schema: z.object({
            items: z.array(
              z.object({
                at: z.string(),
                outcome: z.enum(['success', 'failure']),
                method: z.string(),
                ipHash: z.string().nullable(),
                userAgent: z.string().nullable(),
                newDevice: z.boolean(),
              }),
            ),
          }),
        },
      },
      handler: async (koa, { query }) => {
        const events = await vault.accounts.loginHistory(callerOf(koa).userId, query.limit);
        return {
          status: 200,
          body: { items: events.map((e) => ({ ...e, at: e.at.toISOString() })) },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: "The organization's audit trail, newest first (admins)",
      tags: ['audit'],
      auth: 'user',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        beforeSeq: z.coerce.number().int().min(1).optional(),
      }),
      responses: {
        200: { description: 'audit events', schema: z.object({ items: z.array(AuditEvent) }) },
      },
      handler: async (koa, { query }) => {
        const events = await vault.audit.list(actorOf(koa), query);
        return {
          status: 200,
          body: {
            items: events.map((e) => ({
              seq: e.seq,
              at: iso(e.at)!,
              actorId: e.actorId,
              action: e.action,
              objectType: e.objectType,
              objectId: e.objectId,
              ipHash: e.ipHash,
              detail: e.detail ?? {},
              hash: e.hash,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/verify',
      summary: "Verify the organization's audit hash chain and signed checkpoints (admins)",
      tags: ['audit'],
      auth: 'user',
      responses: {
        200: {
          description: 'the verification result',
          schema: z.object({
            ok: z.boolean(),
            events: z.number().int(),
            checkpoints: z.number().int(),
            problems: z.array(z.object({ seq: z.number().int(), reason: z.string() })),
          }),
        },
      },
      handler: async (koa) => {
        const result = await vault.audit.verify(actorOf(koa));
        return {
          status: 200,
          body: {
            ok: result.ok,
            events: result.events,
            checkpoints: result.checkpoints,
            problems: result.problems,
          },
        };
      },
    }),
  ];
}
