import type { GuestToken } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { sendMedia } from '../media/send-media.js';
import { contentDisposition } from '../uploads/content-disposition.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const tags = ['guests'];
/** Where guests send their token (never in a URL, so it stays out of logs and Referer). */
const GUEST_HEADER = 'X-Vaultmark-Guest-Token';

/** What a guest token and a guest invitation both show: scope, times and uses. */
export const GuestGrantFields = {
  trackId: z.string().nullable(),
  folderId: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  uses: z.number().int(),
};

type GuestGrant = Pick<
  GuestToken,
  'scope' | 'createdAt' | 'expiresAt' | 'revokedAt' | 'lastUsedAt' | 'uses'
>;

/** {@link GuestGrantFields} of a guest token or invitation, for an answer. */
export function presentGuestGrant(g: GuestGrant) {
  return {
    trackId: 'trackId' in g.scope ? g.scope.trackId : null,
    folderId: 'folderId' in g.scope ? g.scope.folderId : null,
    createdAt: g.createdAt.toISOString(),
    expiresAt: g.expiresAt.toISOString(),
    revokedAt: g.revokedAt ? g.revokedAt.toISOString() : null,
    lastUsedAt: g.lastUsedAt ? g.lastUsedAt.toISOString() : null,
    uses: g.uses,
  };
}

const GuestTokenBody = z.object({ id: z.string(), label: z.string(), ...GuestGrantFields });

function present(g: GuestToken): z.infer<typeof GuestTokenBody> {
  return { id: g.id, label: g.label, ...presentGuestGrant(g) };
}

function guestToken(koa: ParameterizedContext): string {
  const token = koa.get(GUEST_HEADER);
  if (!/^[A-Za-z0-9_-]{16,200}$/.test(token)) {
    throw new HttpError(401, 'unauthenticated', `send the guest token in ${GUEST_HEADER}`);
  }
  return token;
}

/**
 * Guest tokens: an admin grants a collaborator access to one track or one folder for up to 90
 * days; the guest sends the token in `X-Vaultmark-Guest-Token`; every use is counted and audited.
 */
export function guestRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'post',
      path: '/api/guest-tokens',
      summary: 'Grant a guest access to one track or folder (admins; at most 90 days)',
      tags,
      auth: 'user',
      body: z
        .object({
          label: z.string().min(1).max(200),
          trackId: z.uuid().optional(),
          folderId: z.uuid().optional(),
          expiresAt: z.iso.datetime({ offset: true }),
        })
        .refine((b) => (b.trackId === undefined) !== (b.folderId === undefined), {
          message: 'give exactly one of trackId and folderId',
        }),
      responses: {
        201: {
          description: 'the token (shown only now) and its record',
          schema: z.object({ token: z.string(), guestToken: GuestTokenBody }),
        },
      },
      handler: async (koa, { body }) => {
        const created = await vault.guests.create(actorOf(koa), {
          label: body.label,
          scope: body.trackId ? { trackId: body.trackId } : { folderId: body.folderId! },
          expiresAt: new Date(body.expiresAt),
        });
        return {
          status: 201,
          body: { token: created.token, guestToken: present(created.guestToken) },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest-tokens',
      summary: "The organization's guest tokens, with use counts",
      tags,
      auth: 'user',
      responses: {
        200: { description: 'guest tokens', schema: z.object({ items: z.array(GuestTokenBody) }) },
      },
      handler: async (koa) => ({
        status: 200,
        body: { items: (await vault.guests.list(actorOf(koa))).map(present) },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/guest-tokens/:id',
      summary: 'Revoke a guest token (admins)',
      tags,
      auth: 'user',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'revoked' } },
      handler: async (koa, { params }) => {
        await vault.guests.revoke(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/tracks',
      summary: 'What a guest token grants (the use is logged)',
      tags,
      auth: 'public',
      responses: {
        200: {
          description: 'the granted tracks',
          schema: z.object({
            label: z.string(),
            tracks: z.array(
              z.object({
                id: z.string(),
                title: z.string(),
                artist: z.string().nullable(),
                durationSeconds: z.number().nullable(),
              }),
            ),
          }),
        },
      },
      handler: async (koa) => {
        const access = await vault.guests.use(guestToken(koa), {
          ipHash: await vault.accounts.clientIpHash(koa.ip),
        });
        return { status: 200, body: { label: access.label, tracks: access.tracks } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/tracks/:trackId/audio',
      summary:
        'A granted track’s audio for review: a WAV marked with this guest’s own payload (HTTP Range; audited)',
      tags,
      auth: 'public',
      params: z.object({ trackId: z.uuid() }),
      responses: {
        200: { description: 'the guest’s marked copy', contentType: 'audio/wav' },
        206: { description: 'a byte range of it', contentType: 'audio/wav' },
      },
      handler: async (koa, { params }) => {
        const copy = await vault.guests.openTrackAudio(guestToken(koa), params.trackId, {
          ipHash: await vault.accounts.clientIpHash(koa.ip),
        });
        await sendMedia(koa, copy.media, { download: contentDisposition(copy.fileName) });
        return { status: koa.status };
      },
    }),
  ];
}
