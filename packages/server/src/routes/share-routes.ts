import type { ShareDetail, ShareSummary, WatermarkKeyInfo } from '@vaultmark/vault-core';
import { z } from 'zod';
import { attachment } from '../api/attachment.js';
import { PageQuery } from '../api/paging.js';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const tags = ['shares'];

/** A share as the owner's API shows it. */
const ShareBody = z.object({
  id: z.string(),
  title: z.string().nullable(),
  note: z.string().nullable(),
  status: z.enum(['scheduled', 'active', 'expired', 'revoked']),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  activatesAt: z.string().nullable(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  passwordProtected: z.boolean(),
  allowDownload: z.boolean(),
  /** Whether recipients may comment and approve on their page. */
  allowFeedback: z.boolean(),
  /** Bit rate of the marked lossy preview recipients stream (kbps). */
  previewKbps: z.number().int(),
  maxPlays: z.number().int().nullable(),
  maxDownloads: z.number().int().nullable(),
  trackCount: z.number().int(),
  recipientCount: z.number().int(),
});

const Link = z.object({
  recipientId: z.string(),
  recipientName: z.string(),
  recipientEmail: z.string(),
  /** The recipient's personal link (absolute). Shown only now: only its hash is stored. */
  url: z.string(),
});

function presentShare(share: ShareSummary): z.infer<typeof ShareBody> {
  return {
    id: share.id,
    title: share.title,
    note: share.note,
    status: share.status,
    createdAt: share.createdAt.toISOString(),
    createdBy: share.createdBy,
    activatesAt: iso(share.activatesAt),
    expiresAt: share.expiresAt.toISOString(),
    revokedAt: iso(share.revokedAt),
    passwordProtected: share.passwordProtected,
    allowDownload: share.allowDownload,
    allowFeedback: share.allowFeedback,
    previewKbps: share.previewKbps,
    maxPlays: share.maxPlays,
    maxDownloads: share.maxDownloads,
    trackCount: share.trackCount,
    recipientCount: share.recipientCount,
  };
}

function presentDetail(share: ShareDetail) {
  const recipients = new Map(share.recipients.map((r) => [r.id, r]));
  const tracks = new Map(share.tracks.map((t) => [t.id, t]));
  return {
    ...presentShare(share),
    tracks: share.tracks,
    recipients: share.recipients.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      company: r.company,
      plays: r.plays,
      downloads: r.downloads,
      createdAt: r.createdAt.toISOString(),
      revokedAt: iso(r.revokedAt),
      lastAccessAt: iso(r.lastAccessAt),
    })),
    accessLog: share.accessLog.map((e) => ({
      at: e.at.toISOString(),
      recipientId: e.recipientId,
      recipientName: recipients.get(e.recipientId)?.name ?? null,
      recipientEmail: recipients.get(e.recipientId)?.email ?? null,
      trackId: e.trackId,
      trackTitle: e.trackId ? (tracks.get(e.trackId)?.title ?? null) : null,
      action: e.kind,
      positionSeconds: e.positionSeconds,
      userAgent: e.userAgent,
    })),
  };
}

const ShareDetailBody = ShareBody.extend({
  tracks: z.array(
    z.object({ id: z.string(), title: z.string(), durationSeconds: z.number().nullable() }),
  ),
  recipients: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      company: z.string().nullable(),
      plays: z.number().int(),
      downloads: z.number().int(),
      createdAt: z.string(),
      revokedAt: z.string().nullable(),
      lastAccessAt: z.string().nullable(),
    }),
  ),
  accessLog: z.array(
    z.object({
      at: z.string(),
      recipientId: z.string(),
      recipientName: z.string().nullable(),
      recipientEmail: z.string().nullable(),
      trackId: z.string().nullable(),
      trackTitle: z.string().nullable(),
      action: z.enum(['opened', 'played', 'downloaded', 'password_failed']),
      positionSeconds: z.number().nullable(),
      userAgent: z.string().nullable(),
    }),
  ),
});

const Id = z.object({ id: z.uuid() });
const RecipientIds = z.object({ id: z.uuid(), recipientId: z.uuid() });
const SentLink = z.object({
  url: z.string(),
  mailed: z.boolean().describe('whether the mail was handed to the mailer'),
  replaced: z.boolean().describe('whether the link changed (the previous one stops working)'),
});
const Settings = z.object({
  defaultExpiryDays: z.number().int().min(1).max(365),
  maxExpiryDays: z.number().int().min(1).max(365),
});
const WatermarkKey = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
});
const presentKey = (k: WatermarkKeyInfo): z.infer<typeof WatermarkKey> => ({
  id: k.id,
  current: k.current,
  createdAt: k.createdAt.toISOString(),
  retiredAt: iso(k.retiredAt),
});

/** The base every recipient link starts with: `<public base>/s/`. */
export function linkBase(ctx: Pick<ServerContext, 'config'>): string {
  return `${ctx.config.publicBaseUrl}/s/`;
}

/** Shares: create (one watermarked copy and one link per recipient), list, read, revoke, re-send. */
export function shareRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  /** Mails a recipient their link (the same one, or a replaced one) and says which it was. */
  const sendLink = async (
    koa: Parameters<RouteSpec['handler']>[0],
    params: z.infer<typeof RecipientIds>,
    use: 'resendLink' | 'replaceLink',
  ) => {
    const sent = await vault.shares[use](actorOf(koa), {
      shareId: params.id,
      recipientId: params.recipientId,
      linkBase: linkBase(ctx),
    });
    return { status: 200, body: { url: sent.url, mailed: sent.mailed, replaced: sent.replaced } };
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/shares',
      summary: 'Share tracks with recipients; each gets a personal link to a watermarked copy',
      tags,
      auth: 'user',
      body: z.object({
        title: z.string().max(300).optional(),
        note: z.string().max(5000).optional(),
        trackIds: z.array(z.uuid()).min(1).max(200),
        recipients: z
          .array(
            z.object({
              name: z.string().min(1).max(200),
              email: z.string().min(3).max(254),
              company: z.string().max(200).optional(),
            }),
          )
          .min(1)
          .max(100),
        expiresAt: z.iso.datetime({ offset: true }).optional(),
        activatesAt: z.iso.datetime({ offset: true }).optional(),
        password: z.string().min(1).max(4096).optional(),
        allowDownload: z.boolean().optional(),
        /** Recipients may comment and approve (default false). */
        allowFeedback: z.boolean().optional(),
        /** Quality of the marked MP3 preview recipients stream (default 256 kbps; never lossless). */
        previewKbps: z
          .union([z.literal(128), z.literal(192), z.literal(256), z.literal(320)])
          .optional(),
        maxDownloads: z.number().int().min(1).max(1000).optional(),
        maxPlays: z.number().int().min(1).max(100_000).optional(),
        /** Email each recipient their link (default false: the owner sends the links). */
        notify: z.boolean().optional(),
      }),
      responses: {
        201: {
          description: 'the share and each recipient’s link (shown only now)',
          schema: ShareBody.extend({ links: z.array(Link) }),
        },
      },
      handler: async (koa, { body }) => {
        const { notify, ...input } = body;
        const base = linkBase(ctx);
        const created = await vault.shares.create(actorOf(koa), {
          ...input,
          ...(notify ? { notify: { linkBase: base } } : {}),
        });
        return {
          status: 201,
          body: {
            ...presentShare(created.share),
            links: created.links.map((link) => ({
              recipientId: link.recipientId,
              recipientName: link.name,
              recipientEmail: link.email,
              url: `${base}${link.token}`,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/shares',
      summary: "The organization's shares, newest first",
      tags,
      auth: 'user',
      query: PageQuery,
      responses: {
        200: { description: 'shares', schema: z.object({ items: z.array(ShareBody) }) },
      },
      handler: async (koa, { query }) => ({
        status: 200,
        body: { items: (await vault.shares.list(actorOf(koa), query)).map(presentShare) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/shares/:id',
      summary: 'One share with its tracks, recipients and access log',
      tags,
      auth: 'user',
      params: Id,
      responses: { 200: { description: 'the share', schema: ShareDetailBody } },
      handler: async (koa, { params }) => ({
        status: 200,
        body: presentDetail(await vault.shares.get(actorOf(koa), params.id)),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/shares/:id',
      summary:
        'Change a share: title, note, expiry (extend, also an expired share, or shorten), downloads; the links stay the same',
      tags,
      auth: 'user',
      params: Id,
      body: z
        .object({
          title: z.string().max(300).nullable().optional(),
          note: z.string().max(5000).nullable().optional(),
          expiresAt: z.iso.datetime({ offset: true }).optional(),
          allowDownload: z.boolean().optional(),
          allowFeedback: z.boolean().optional(),
          maxDownloads: z.number().int().min(1).max(1000).nullable().optional(),
        })
        .strict(),
      responses: { 200: { description: 'the share after the change', schema: ShareDetailBody } },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: presentDetail(await vault.shares.update(actorOf(koa), params.id, body)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/shares/:id/revoke',
      summary: "Revoke a share (every link) or one recipient's link",
      tags,
      auth: 'user',
      params: Id,
      body: z.object({ recipientId: z.uuid().optional() }),
      responses: { 200: { description: 'the share after revoking', schema: ShareDetailBody } },
      handler: async (koa, { params, body }) => {
        const actor = actorOf(koa);
        await vault.shares.revoke(actor, params.id, body);
        return { status: 200, body: presentDetail(await vault.shares.get(actor, params.id)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/shares/:id/recipients/:recipientId/resend',
      summary:
        'Email a recipient the link they already have (an older link that cannot be computed again is replaced once: `replaced`)',
      tags,
      auth: 'user',
      params: RecipientIds,
      responses: { 200: { description: 'the link that was mailed', schema: SentLink } },
      handler: (koa, { params }) => sendLink(koa, params, 'resendLink'),
    }),
    defineRoute({
      method: 'post',
      path: '/api/shares/:id/recipients/:recipientId/replace-link',
      summary: "Replace a recipient's link and email the new one (the old one stops working)",
      tags,
      auth: 'user',
      params: RecipientIds,
      responses: { 200: { description: 'the new link', schema: SentLink } },
      handler: (koa, { params }) => sendLink(koa, params, 'replaceLink'),
    }),
    defineRoute({
      method: 'get',
      path: '/api/share-settings',
      summary: 'Default and longest share lifetime of the organization',
      tags,
      auth: 'user',
      responses: { 200: { description: 'the settings', schema: Settings } },
      handler: async (koa) => ({ status: 200, body: await vault.shares.getSettings(actorOf(koa)) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/share-settings',
      summary: 'Set the default and longest share lifetime (admins)',
      tags,
      auth: 'user',
      body: Settings,
      responses: { 200: { description: 'the settings', schema: Settings } },
      handler: async (koa, { body }) => ({
        status: 200,
        body: await vault.shares.setSettings(actorOf(koa), body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/watermark-keys',
      summary: "The organization's watermark keys (admins); investigations search them all",
      tags,
      auth: 'user',
      responses: {
        200: { description: 'keys', schema: z.object({ items: z.array(WatermarkKey) }) },
      },
      handler: async (koa) => ({
        status: 200,
        body: { items: (await vault.watermarkKeys.list(actorOf(koa))).map(presentKey) },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/watermark-keys/rotate',
      summary: 'Retire the current watermark key and make a new one for new shares (admins)',
      tags,
      auth: 'user',
      responses: { 201: { description: 'the new key', schema: WatermarkKey } },
      handler: async (koa) => ({
        status: 201,
        body: presentKey(await vault.watermarkKeys.rotate(actorOf(koa))),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/watermark-keys/export',
      summary:
        'Export the watermark keys and who received which mark, encrypted under a passphrase (owners), to import into another vault',
      tags,
      auth: 'user',
      body: z.object({ passphrase: z.string().min(12).max(1024) }),
      responses: {
        200: {
          description: 'the escrow file (VMW1: scrypt-derived key, AES-256-GCM)',
          contentType: 'application/octet-stream',
        },
      },
      handler: async (koa, { body }) => {
        const file = await vault.watermarkKeys.exportKeys(actorOf(koa), body);
        return {
          status: 200,
          body: file,
          headers: attachment('vaultmark-watermark-keys.vmw', 'application/octet-stream'),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/watermark-keys/import',
      summary:
        'Import an escrow file from another vault (owners): its keys detect, its mappings name who received each copy',
      tags,
      auth: 'user',
      rawBody: {
        contentType: 'application/octet-stream',
        description:
          'the escrow file from `POST /api/watermark-keys/export`; its passphrase in the `X-Vaultmark-Passphrase` header',
      },
      responses: {
        200: {
          description: 'what was added',
          schema: z.object({ keys: z.number(), marks: z.number() }),
        },
      },
      handler: async (koa) => {
        const passphrase = koa.get('X-Vaultmark-Passphrase');
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of koa.req) {
          size += (chunk as Buffer).length;
          if (size > ESCROW_MAX_BYTES) {
            throw new HttpError(413, 'payload_too_large', 'escrow file too large');
          }
          chunks.push(chunk as Buffer);
        }
        return {
          status: 200,
          body: await vault.watermarkKeys.importKeys(actorOf(koa), {
            file: Buffer.concat(chunks),
            passphrase,
          }),
        };
      },
    }),
  ];
}

/** Largest escrow file accepted (a mapping row is a few hundred bytes: millions of marks). */
const ESCROW_MAX_BYTES = 512 * 1024 * 1024;
