import type { RecipientClient, Vault } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteResult, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { parseRange } from '../media/range.js';
import { sendMedia } from '../media/send-media.js';
import { contentDisposition } from '../uploads/content-disposition.js';
import type { ServerContext } from '../vault/server-context.js';
import {
  recipientStatePage,
  sharePage,
  sharePasswordPage,
  shareUnavailablePage,
} from '../web/pages/share.js';

/** Link tokens: `vml_` and 43 base64url characters (256 bits); anything else is unknown. */
export const LinkToken = z.object({ token: z.string().regex(/^vml_[A-Za-z0-9_-]{43}$/) });
export const TrackParams = LinkToken.extend({ trackId: z.uuid() });
const GRANT_COOKIE = 'vaultmark_grant';
const tags = ['recipients'];
const html = (description: string) => ({ description, contentType: 'text/html' });

/** What the vault learns about the recipient's client: hashed address, user agent, grant. */
export async function clientOf(vault: Vault, koa: ParameterizedContext): Promise<RecipientClient> {
  return {
    ipHash: await vault.accounts.clientIpHash(koa.ip),
    userAgent: koa.get('User-Agent') || null,
    grant: koa.cookies.get(GRANT_COOKIE) ?? null,
  };
}

const code = (error: unknown) => (error as { code?: string } | null)?.code;

/** One page for unknown, expired, not yet active and revoked links: same status, same body. */
function unavailable(): RouteResult {
  return {
    status: 404,
    body: shareUnavailablePage(),
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  };
}

function page(status: number, body: string): RouteResult {
  return {
    status,
    body,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'private, no-store' },
  };
}

/** The page for a download the vault refused, when the request came from a click on the link. */
function downloadRefusal(error: unknown) {
  switch (code(error)) {
    case 'limit_reached':
      return {
        status: 429,
        title: 'No downloads left',
        heading: 'No downloads left on this link',
        message:
          'You have used every download this share allows. You can still listen on the share page; ask the person who shared it if you need another copy.',
      };
    case 'forbidden':
      return {
        status: 403,
        title: 'Stream only',
        heading: 'This share is stream only',
        message: 'The person who shared these tracks did not allow downloads.',
      };
    case 'password_required':
      return {
        status: 401,
        title: 'Password required',
        heading: 'Open the share first',
        message: 'This share is protected: enter its password on the share page, then download.',
      };
    case 'share_unavailable':
    case 'not_found':
      return { status: 404, title: '', heading: '', message: '' };
    default:
      return undefined;
  }
}

/** Reads a small `application/x-www-form-urlencoded` body (the password form). */
async function formBody(koa: ParameterizedContext): Promise<URLSearchParams> {
  if (!koa.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'unsupported_media_type', 'expected a form');
  }
  // Read to the end before answering (breaking off mid-body resets the connection under the
  // client's feet), keeping at most 16 KiB and refusing anything larger afterwards.
  const limit = 16 * 1024;
  const declared = Number(koa.get('Content-Length') || 0);
  if (declared > 1024 * 1024) throw new HttpError(413, 'payload_too_large', 'form too large');
  let text = '';
  let size = 0;
  for await (const chunk of koa.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) text += chunk.toString('utf8');
    else if (size > 1024 * 1024) break;
  }
  if (size > limit) throw new HttpError(413, 'payload_too_large', 'form too large');
  return new URLSearchParams(text);
}

/**
 * The recipient's side of a share, under the personal link `/s/<token>`: the page with a player
 * per track, the password form, and the media. Every stream and download is this recipient's own
 * copy, marked by the vault with the payload it recorded for them: a stream is a lossy preview
 * (MP3), a download (when allowed) the lossless WAV, both in whatever byte range is asked
 * (`Cache-Control: private, no-store`). A password-protected share answers the form with
 * a short-lived grant in an HttpOnly cookie scoped to the link's path, never in a URL.
 */
export function recipientRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  const base = (token: string) => `/s/${token}`;

  async function media(
    koa: ParameterizedContext,
    token: string,
    trackId: string,
    kind: 'stream' | 'download',
  ) {
    // A request for the start of the audio begins a play (counted); any other range is a seek.
    const range = parseRange(koa.get('Range') || undefined, Number.MAX_SAFE_INTEGER);
    const fromStart = range === undefined || (range !== 'unsatisfiable' && range.start === 0);
    const opened = await vault.shares.openTrack(token, trackId, {
      kind,
      ...(kind === 'stream'
        ? { play: fromStart ? ('start' as const) : ('continue' as const) }
        : {}),
      ...(await clientOf(vault, koa)),
    });
    koa.state.organizationId = opened.organizationId;
    await sendMedia(
      koa,
      opened.media,
      kind === 'download' ? { download: contentDisposition(opened.downloadFileName) } : {},
    );
    return { status: koa.status };
  }

  return [
    defineRoute({
      method: 'get',
      path: '/s/:token',
      summary: "A recipient's share page (player per track; password form when protected)",
      tags,
      auth: 'public',
      params: z.object({ token: z.string().max(200) }),
      responses: {
        200: html('the share page'),
        401: html('the password form'),
        404: html('this link is not available (unknown, expired, revoked: one answer)'),
      },
      handler: async (koa, { params }) => {
        if (!LinkToken.safeParse(params).success) return unavailable();
        try {
          const client = await clientOf(vault, koa);
          const view = await vault.shares.open(params.token, client);
          // Render the previews while the page loads, so the first play finds them ready.
          void vault.shares
            .preparePreviews(params.token, { grant: client.grant ?? null })
            .catch((error: unknown) =>
              ctx.logger.warn({ err: error }, 'preparing previews failed'),
            );
          const at = base(params.token);
          return page(
            200,
            sharePage({
              recipientName: view.recipient.name,
              ...(view.sender.organizationName ? { ownerName: view.sender.organizationName } : {}),
              ...(view.sender.hasLogo ? { logoUrl: `${at}/logo` } : {}),
              ...(view.sender.brandColor || view.sender.hasLogo
                ? { brandStylesheetUrl: `${at}/brand.css` }
                : {}),
              ...(view.title ? { title: view.title } : {}),
              ...(view.note ? { note: view.note } : {}),
              expiresAt: view.expiresAt,
              eventsUrl: `${at}/events`,
              previewKbps: view.previewKbps,
              feedback: view.allowFeedback,
              downloadsLeft: view.downloadsLeft,
              tracks: view.tracks.map((track) => ({
                id: track.id,
                title: track.title,
                ...(track.artist ? { artist: track.artist } : {}),
                ...(track.durationSeconds !== null
                  ? { durationSeconds: track.durationSeconds }
                  : {}),
                streamUrl: `${at}/tracks/${track.id}/stream`,
                peaksUrl: `${at}/tracks/${track.id}/peaks`,
                ...(view.allowDownload && view.downloadsLeft !== 0
                  ? { downloadUrl: `${at}/tracks/${track.id}/download` }
                  : {}),
                ...(track.hasArtwork ? { artworkUrl: `${at}/tracks/${track.id}/artwork` } : {}),
              })),
            }),
          );
        } catch (error) {
          if (code(error) === 'password_required') {
            return page(401, sharePasswordPage({ action: `${base(params.token)}/unlock` }));
          }
          if (code(error) === 'share_unavailable') return unavailable();
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/unlock',
      summary:
        'The password form’s address opened again (a reload, a bookmark): back to the share page',
      tags,
      auth: 'public',
      params: z.object({ token: z.string().max(200) }),
      responses: {
        303: { description: 'to the share page' },
        404: html('this link is not available'),
      },
      handler: async (_koa, { params }) => {
        if (!LinkToken.safeParse(params).success) return unavailable();
        return { status: 303, headers: { Location: base(params.token) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/s/:token/unlock',
      summary: 'Send the password of a protected share; sets a short-lived grant cookie',
      tags,
      auth: 'public',
      params: z.object({ token: z.string().max(200) }),
      rawBody: {
        contentType: 'application/x-www-form-urlencoded',
        description: 'the form field `password`',
      },
      responses: {
        303: { description: 'unlocked: back to the share page' },
        401: html('wrong password: the form again'),
        404: html('this link is not available'),
        429: html('too many attempts: the form with the time to wait'),
      },
      handler: async (koa, { params }) => {
        if (!LinkToken.safeParse(params).success) return unavailable();
        const action = `${base(params.token)}/unlock`;
        const password = (await formBody(koa)).get('password') ?? '';
        try {
          const { grant, expiresAt } = await vault.shares.unlock(
            params.token,
            password,
            await clientOf(vault, koa),
          );
          koa.cookies.set(GRANT_COOKIE, grant, {
            httpOnly: true,
            sameSite: 'lax',
            secure: koa.secure,
            path: base(params.token),
            maxAge: Math.max(0, expiresAt.getTime() - Date.now()),
            overwrite: true,
          });
          return { status: 303, headers: { Location: base(params.token) } };
        } catch (error) {
          if (code(error) === 'share_unavailable') return unavailable();
          if (code(error) === 'invalid_credentials' || code(error) === 'invalid_input') {
            return page(401, sharePasswordPage({ action, error: 'That password is not right.' }));
          }
          if (code(error) === 'rate_limited') {
            const wait = (error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60;
            return {
              ...page(
                429,
                sharePasswordPage({
                  action,
                  error: `Too many attempts. Try again in ${Math.ceil(wait)} seconds.`,
                }),
              ),
              headers: {
                'Content-Type': 'text/html; charset=utf-8',
                'Cache-Control': 'no-store',
                'Retry-After': String(Math.ceil(wait)),
              },
            };
          }
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/tracks/:trackId/stream',
      summary:
        "This recipient's marked lossy preview of a track (MP3 at the share's quality; HTTP Range)",
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: { description: 'the whole preview', contentType: 'audio/mpeg' },
        206: { description: 'a byte range of the preview', contentType: 'audio/mpeg' },
        416: { description: 'range not satisfiable' },
      },
      handler: (koa, { params }) => media(koa, params.token, params.trackId, 'stream'),
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/tracks/:trackId/download',
      summary:
        "Download this recipient's marked lossless copy, WAV (when the share allows; counted)",
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: { description: 'the copy as an attachment', contentType: 'audio/wav' },
        206: { description: 'a byte range of the copy', contentType: 'audio/wav' },
      },
      handler: async (koa, { params }) => {
        try {
          return await media(koa, params.token, params.trackId, 'download');
        } catch (error) {
          // Someone who clicked the link gets a page, not the API's JSON saved as a file.
          const refusal = koa.accepts('json', 'html') === 'html' && downloadRefusal(error);
          if (!refusal) throw error;
          return refusal.status === 404
            ? unavailable()
            : page(refusal.status, recipientStatePage({ ...refusal, back: base(params.token) }));
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/tracks/:trackId/peaks',
      summary: 'Waveform peaks for the player (audiowaveform JSON)',
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: { description: 'audiowaveform JSON', schema: z.record(z.string(), z.unknown()) },
      },
      handler: async (koa, { params }) => {
        return {
          status: 200,
          headers: { 'Cache-Control': 'private, no-store' },
          body: await vault.shares.trackPeaks(
            params.token,
            params.trackId,
            await clientOf(vault, koa),
          ),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/s/:token/events',
      summary:
        'Listening progress from the player (logged); plays are counted by the server as it serves them',
      tags,
      auth: 'public',
      params: LinkToken,
      body: z.object({
        trackId: z.uuid(),
        type: z.enum(['play', 'progress', 'stop']),
        position: z.number().min(0).max(86_400),
        /** With `stop`: the stretches played, `[from, to]` seconds (analytics add them up). */
        ranges: z
          .array(z.tuple([z.number().min(0).max(86_400), z.number().min(0).max(86_400)]))
          .max(500)
          .optional(),
      }),
      responses: { 204: { description: 'recorded' } },
      handler: async (koa, { params, body }) => {
        if (body.type === 'stop') {
          await vault.shares.recordPlay(
            params.token,
            body.trackId,
            body.position,
            await clientOf(vault, koa),
            body.ranges,
          );
        }
        return { status: 204 };
      },
    }),
  ];
}
