import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { clientOf, TrackParams } from './recipient-routes.js';

const Id = z.object({ id: z.uuid() });
/** Largest artwork request body read (the vault refuses more than 5 MiB with its own message). */
const MAX_BODY = 5 * 1024 * 1024 + 1;
const image = (description: string) => ({ description, contentType: 'image/*' });

/** The request body, up to {@link MAX_BODY} bytes (`payload_too_large` beyond). */
async function readImage(koa: ParameterizedContext): Promise<Buffer> {
  const declared = Number(koa.get('Content-Length') || 0);
  if (declared > MAX_BODY)
    throw new HttpError(413, 'payload_too_large', 'artwork must be at most 5 MB');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of koa.req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY)
      throw new HttpError(413, 'payload_too_large', 'artwork must be at most 5 MB');
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/** Track artwork: set, read and remove by members; read by the recipients of a share. */
export function trackArtworkRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'put',
      path: '/api/tracks/:id/artwork',
      summary: 'Set a track’s artwork (PNG, JPEG or WebP, at most 5 MB; stored encrypted)',
      tags: ['tracks'],
      auth: 'user',
      params: Id,
      rawBody: { contentType: 'image/*', description: 'the image bytes' },
      responses: {
        200: {
          description: 'stored',
          schema: z.object({ contentType: z.string(), sizeBytes: z.number().int() }),
        },
      },
      handler: async (koa, { params }) => ({
        status: 200,
        body: await vault.catalog.setArtwork(actorOf(koa), params.id, await readImage(koa)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/artwork',
      summary: 'A track’s artwork',
      tags: ['tracks'],
      auth: 'user',
      params: Id,
      responses: { 200: image('the image') },
      handler: async (koa, { params }) => {
        const art = await vault.catalog.artwork(actorOf(koa), params.id);
        return {
          status: 200,
          headers: { 'Content-Type': art.contentType, 'Cache-Control': 'private, no-cache' },
          body: art.bytes,
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tracks/:id/artwork',
      summary: 'Remove a track’s artwork (crypto-erased)',
      tags: ['tracks'],
      auth: 'user',
      params: Id,
      responses: { 204: { description: 'removed' } },
      handler: async (koa, { params }) => {
        await vault.catalog.removeArtwork(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/tracks/:trackId/artwork',
      summary: 'A shared track’s artwork, for the recipient whose link this is',
      tags: ['recipients'],
      auth: 'public',
      params: TrackParams,
      responses: { 200: image('the image') },
      handler: async (koa, { params }) => {
        const client = await clientOf(vault, koa);
        const art = await vault.shares.trackArtwork(params.token, params.trackId, {
          grant: client.grant ?? null,
        });
        return {
          status: 200,
          headers: { 'Content-Type': art.contentType, 'Cache-Control': 'private, max-age=300' },
          body: art.bytes,
        };
      },
    }),
  ];
}
