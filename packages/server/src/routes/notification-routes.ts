import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const tags = ['notifications'];

const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  /** Ids of what it is about: `shareId`, `recipientId`, `trackId`, ... */
  subject: z.record(z.string(), z.string()),
  summary: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
const Setting = z.object({
  kind: z.string(),
  label: z.string(),
  description: z.string(),
  email: z.boolean(),
  inApp: z.boolean(),
});
const Settings = z.object({ items: z.array(Setting) });

/** The signed-in member's notification feed and mute settings, in the organization they act in. */
export function notificationRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      summary: 'The caller’s notifications, newest first',
      tags,
      auth: 'user',
      query: z.object({
        unread: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(30),
        before: z.uuid().optional(),
      }),
      responses: {
        200: {
          description: 'a page of the feed, the unread count, and where the next page starts',
          schema: z.object({
            items: z.array(Notification),
            unread: z.number().int(),
            nextBefore: z.string().nullable(),
          }),
        },
      },
      handler: async (koa, { query }) => {
        const page = await vault.notifications.list(actorOf(koa), {
          unreadOnly: query.unread === 'true',
          limit: query.limit,
          ...(query.before ? { before: query.before } : {}),
        });
        return {
          status: 200,
          body: {
            items: page.items.map((n) => ({
              ...n,
              createdAt: n.createdAt.toISOString(),
              readAt: n.readAt ? n.readAt.toISOString() : null,
            })),
            unread: page.unread,
            nextBefore: page.nextBefore,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/unread-count',
      summary: 'How many of the caller’s notifications are unread (for a badge)',
      tags,
      auth: 'user',
      responses: {
        200: { description: 'the count', schema: z.object({ unread: z.number().int() }) },
      },
      handler: async (koa) => ({
        status: 200,
        headers: { 'Cache-Control': 'private, no-store' },
        body: { unread: await vault.notifications.countUnread(actorOf(koa)) },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/read',
      summary: 'Mark some or all of the caller’s notifications read',
      tags,
      auth: 'user',
      body: z
        .object({
          ids: z.array(z.uuid()).min(1).max(500).optional(),
          all: z.literal(true).optional(),
        })
        .refine((b) => (b.ids === undefined) !== (b.all === undefined), {
          message: 'give either ids (1 to 500 notification ids) or all: true',
          path: ['ids'],
        }),
      responses: {
        200: {
          description: 'the unread count left',
          schema: z.object({ unread: z.number().int() }),
        },
      },
      handler: async (koa, { body }) => ({
        status: 200,
        body: await vault.notifications.markRead(
          actorOf(koa),
          body.all ? { all: true } : { ids: body.ids ?? [] },
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/settings',
      summary: 'Which notifications the caller gets by email and in the app',
      tags,
      auth: 'user',
      responses: { 200: { description: 'every kind, with its setting', schema: Settings } },
      handler: async (koa) => ({
        status: 200,
        body: { items: await vault.notifications.getSettings(actorOf(koa)) },
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/notifications/settings',
      summary: 'Mute or unmute kinds of notification, by email and in the app apart',
      tags,
      auth: 'user',
      body: z.object({
        items: z
          .array(z.object({ kind: z.string().max(100), email: z.boolean(), inApp: z.boolean() }))
          .min(1)
          .max(100),
      }),
      responses: { 200: { description: 'every kind, with its setting', schema: Settings } },
      handler: async (koa, { body }) => ({
        status: 200,
        body: { items: await vault.notifications.setSettings(actorOf(koa), body.items) },
      }),
    }),
  ];
}
