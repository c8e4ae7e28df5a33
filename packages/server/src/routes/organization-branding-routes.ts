import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { brandStylesheet } from '../web/brand-stylesheet.js';
import { clientOf, LinkToken } from './recipient-routes.js';

/** Largest logo request body read (the vault refuses more than 1 MiB with its own message). */
const MAX_BODY = 1024 * 1024 + 1;
const tags = ['organizations'];
const Branding = z.object({ brandColor: z.string().nullable(), hasLogo: z.boolean() });

async function readLogo(koa: ParameterizedContext): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'payload_too_large', 'the logo must be at most 1 MB');
  if (Number(koa.get('Content-Length') || 0) > MAX_BODY) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of koa.req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY) throw tooLarge();
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * The organization's accent colour and logo (admins set them; members read them), and what a
 * recipient's page loads of them: the logo and a stylesheet of the colour.
 */
export function organizationBrandingRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/organization/branding',
      summary: 'The accent colour and whether there is a logo, shown on recipients’ pages',
      tags,
      auth: 'user',
      responses: { 200: { description: 'the branding', schema: Branding } },
      handler: async (koa) => ({
        status: 200,
        body: await vault.organizations.getBranding(actorOf(koa)),
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/branding',
      summary: 'Set the accent colour (`#rrggbb`, or null for the default; admins)',
      tags,
      auth: 'user',
      body: z.object({ brandColor: z.string().max(20).nullable() }),
      responses: { 200: { description: 'the branding', schema: Branding } },
      handler: async (koa, { body }) => ({
        status: 200,
        body: await vault.organizations.setBrandColor(actorOf(koa), body.brandColor),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/organization/logo',
      summary: 'The organization’s logo',
      tags,
      auth: 'user',
      responses: { 200: { description: 'the image', contentType: 'image/*' } },
      handler: async (koa) => {
        const logo = await vault.organizations.logo(actorOf(koa));
        return {
          status: 200,
          headers: { 'Content-Type': logo.contentType, 'Cache-Control': 'private, no-cache' },
          body: logo.bytes,
        };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/organization/logo',
      summary: 'Set the logo (PNG, JPEG or WebP, at most 1 MB; stored encrypted; admins)',
      tags,
      auth: 'user',
      rawBody: { contentType: 'image/*', description: 'the image bytes' },
      responses: {
        200: {
          description: 'stored',
          schema: z.object({ contentType: z.string(), sizeBytes: z.number().int() }),
        },
      },
      handler: async (koa) => ({
        status: 200,
        body: await vault.organizations.setLogo(actorOf(koa), await readLogo(koa)),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/organization/logo',
      summary: 'Remove the logo (crypto-erased; admins)',
      tags,
      auth: 'user',
      responses: { 204: { description: 'removed' } },
      handler: async (koa) => {
        await vault.organizations.removeLogo(actorOf(koa));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/logo',
      summary: 'The logo of the organization that shared, for the recipient whose link this is',
      tags: ['recipients'],
      auth: 'public',
      params: LinkToken,
      responses: { 200: { description: 'the image', contentType: 'image/*' } },
      handler: async (koa, { params }) => {
        const client = await clientOf(vault, koa);
        const logo = await vault.shares.organizationLogo(params.token, {
          grant: client.grant ?? null,
        });
        return {
          status: 200,
          headers: { 'Content-Type': logo.contentType, 'Cache-Control': 'private, max-age=300' },
          body: logo.bytes,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/brand.css',
      summary: 'A stylesheet of the sharing organization’s accent colour, for the recipient’s page',
      tags: ['recipients'],
      auth: 'public',
      params: LinkToken,
      responses: { 200: { description: 'the stylesheet', contentType: 'text/css' } },
      handler: async (koa, { params }) => {
        const client = await clientOf(vault, koa);
        const branding = await vault.shares.branding(params.token, {
          grant: client.grant ?? null,
        });
        return {
          status: 200,
          headers: {
            'Content-Type': 'text/css; charset=utf-8',
            'Cache-Control': 'private, max-age=300',
          },
          body: brandStylesheet(branding.brandColor),
        };
      },
    }),
  ];
}
