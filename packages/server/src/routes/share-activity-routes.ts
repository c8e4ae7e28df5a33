import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const tags = ['shares'];
const Id = z.object({ id: z.uuid() });

const TrackListening = z.object({
  trackId: z.string(),
  title: z.string(),
  durationSeconds: z.number().nullable(),
  /** Seconds heard at least once (the union of the played stretches). */
  listenedSeconds: z.number(),
  listenedFraction: z.number().nullable(),
  listenedRanges: z.array(z.tuple([z.number(), z.number()])),
  sessions: z.number().int(),
  downloads: z.number().int(),
  lastPlayedAt: z.string().nullable(),
  lastDownloadedAt: z.string().nullable(),
});
const Analytics = z.object({
  shareId: z.string(),
  recipients: z.array(
    z.object({
      recipientId: z.string(),
      name: z.string(),
      email: z.string(),
      firstOpenedAt: z.string().nullable(),
      lastOpenedAt: z.string().nullable(),
      opens: z.number().int(),
      tracks: z.array(TrackListening),
    }),
  ),
});

/** What recipients did with a share: opens, listening and downloads, per recipient and track. */
export function shareActivityRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/shares/:id/analytics',
      summary:
        'Per recipient and track: when the link was opened, how much was really heard (the union of the played stretches), downloads',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the share’s activity', schema: Analytics } },
      handler: async (koa, { params }) => {
        const stats = await vault.shares.analytics(actorOf(koa), params.id);
        return {
          status: 200,
          body: {
            shareId: stats.shareId,
            recipients: stats.recipients.map((r) => ({
              ...r,
              firstOpenedAt: iso(r.firstOpenedAt),
              lastOpenedAt: iso(r.lastOpenedAt),
              tracks: r.tracks.map((t) => ({
                ...t,
                lastPlayedAt: iso(t.lastPlayedAt),
                lastDownloadedAt: iso(t.lastDownloadedAt),
              })),
            })),
          },
        };
      },
    }),
  ];
}
