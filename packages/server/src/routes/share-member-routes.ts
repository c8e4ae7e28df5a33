import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { linkBase } from './share-routes.js';

const tags = ['shares'];
const Id = z.object({ id: z.uuid() });
const Link = z.object({
  recipientId: z.string(),
  recipientName: z.string(),
  recipientEmail: z.string(),
  /** The recipient's personal link (absolute). Shown only now: only its hash is stored. */
  url: z.string(),
  /** Whether the link was handed to the mailer (with `notify`). */
  mailed: z.boolean().optional(),
});

/** Changing who and what an existing share holds: recipients and tracks. */
export function shareMemberRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'post',
      path: '/api/shares/:id/recipients',
      summary:
        'Add recipients to a share: each gets a link of their own (marked copies, previews queued), mailed with notify',
      tags,
      auth: 'user',
      params: Id,
      body: z.object({
        recipients: z
          .array(
            z.object({
              name: z.string().min(1).max(200),
              email: z.string().min(3).max(320),
              company: z.string().max(200).nullable().optional(),
            }),
          )
          .min(1)
          .max(100),
        /** Email each new recipient their link (default false). */
        notify: z.boolean().optional(),
      }),
      responses: {
        201: {
          description: 'the new links (shown only now)',
          schema: z.object({ links: z.array(Link) }),
        },
      },
      handler: async (koa, { params, body }) => {
        const base = linkBase(ctx);
        const { links } = await vault.shares.addRecipients(actorOf(koa), params.id, {
          recipients: body.recipients,
          ...(body.notify ? { linkBase: base } : {}),
        });
        return {
          status: 201,
          body: {
            links: links.map((link) => ({
              recipientId: link.recipientId,
              recipientName: link.name,
              recipientEmail: link.email,
              url: `${base}${link.token}`,
              ...(link.mailed === undefined ? {} : { mailed: link.mailed }),
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/shares/:id/tracks',
      summary: 'Add tracks to a share (every recipient whose link works gets a marked copy)',
      tags,
      auth: 'user',
      params: Id,
      body: z.object({ trackIds: z.array(z.uuid()).min(1).max(200) }),
      responses: {
        200: {
          description: 'the tracks added (those already in the share are skipped)',
          schema: z.object({ added: z.array(z.string()) }),
        },
      },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: await vault.shares.addTracks(actorOf(koa), params.id, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/shares/:id/tracks/:trackId',
      summary: 'Take a track out of a share (recipients lose it at once; its mappings stay)',
      tags,
      auth: 'user',
      params: z.object({ id: z.uuid(), trackId: z.uuid() }),
      responses: { 204: { description: 'removed' } },
      handler: async (koa, { params }) => {
        await vault.shares.removeTrack(actorOf(koa), params.id, params.trackId);
        return { status: 204 };
      },
    }),
  ];
}
