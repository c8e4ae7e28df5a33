import type { Vault } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { HttpError } from '../http-error.js';
import { sendMedia } from '../media/send-media.js';
import { contentDisposition } from '../uploads/content-disposition.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';
import { GuestGrantFields, presentGuestGrant } from './guest-routes.js';
import {
  ApprovalBody,
  CommentBody,
  NewApproval,
  NewComment,
  presentApproval,
  presentComment,
  presentTrackReview,
  TrackReviewBody,
} from './review-routes.js';

type Invitation = Awaited<ReturnType<Vault['review']['listGuestInvitations']>>[number];

const tags = ['guests', 'review'];
/** Where a signed-in guest sends their session (never in a URL, so it stays out of logs). */
export const GUEST_SESSION_HEADER = 'X-Vaultmark-Guest-Session';

const InvitationBody = z.object({
  id: z.string(),
  guestTokenId: z.string(),
  name: z.string(),
  email: z.string(),
  ...GuestGrantFields,
});

function present(i: Invitation): z.infer<typeof InvitationBody> {
  return {
    id: i.id,
    guestTokenId: i.guestTokenId,
    name: i.name,
    email: i.email,
    ...presentGuestGrant(i),
  };
}

function guestSession(koa: ParameterizedContext): string {
  const session = koa.get(GUEST_SESSION_HEADER);
  if (!/^[A-Za-z0-9_-]{16,200}$/.test(session)) {
    throw new HttpError(
      401,
      'unauthenticated',
      `send the guest session in ${GUEST_SESSION_HEADER}`,
    );
  }
  return session;
}

const Link = z.string().regex(/^[A-Za-z0-9_-]{16,200}$/);
const TrackParams = z.object({ trackId: z.uuid() });
const perAddress = (name: string, max: number) => ({
  name,
  max,
  windowMs: 15 * 60_000,
  keyOf: (koa: ParameterizedContext) => koa.ip,
});

/**
 * Guest reviewers: admins invite a guest by name and email to one folder (a project) or track;
 * the guest signs in with the emailed link and a code, then listens to their own marked copy,
 * comments and approves within that scope. Every use is logged and listed to the organization.
 */
export function guestReviewRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault, config } = ctx;
  const ip = (koa: ParameterizedContext) => vault.accounts.clientIpHash(koa.ip);
  const guestLinkBase = () => `${config.publicBaseUrl}/guest#`;
  return [
    defineRoute({
      method: 'post',
      path: '/api/guest-invitations',
      summary:
        'Invite a guest reviewer by name and email to one folder or track until `expiresAt` (admins; at most 90 days); the link is emailed',
      tags,
      auth: 'user',
      body: z
        .object({
          name: z.string().min(1).max(200),
          email: z.string().min(3).max(254),
          trackId: z.uuid().optional(),
          folderId: z.uuid().optional(),
          expiresAt: z.iso.datetime({ offset: true }),
        })
        .refine((b) => (b.trackId === undefined) !== (b.folderId === undefined), {
          message: 'give exactly one of trackId and folderId',
        }),
      responses: {
        201: {
          description:
            'the invitation, its link (shown only now; it opens nothing without the emailed code) and whether it was mailed',
          schema: InvitationBody.extend({ url: z.string(), mailed: z.boolean() }),
        },
      },
      handler: async (koa, { body }) => {
        const { invitation, url, mailed } = await vault.review.inviteGuest(actorOf(koa), {
          name: body.name,
          email: body.email,
          scope: body.trackId ? { trackId: body.trackId } : { folderId: body.folderId! },
          expiresAt: new Date(body.expiresAt),
          linkBase: guestLinkBase(),
        });
        return { status: 201, body: { ...present(invitation), url, mailed } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest-invitations',
      summary: "The organization's guest invitations with their use counts",
      tags,
      auth: 'user',
      responses: {
        200: { description: 'invitations', schema: z.object({ items: z.array(InvitationBody) }) },
      },
      handler: async (koa) => ({
        status: 200,
        body: { items: (await vault.review.listGuestInvitations(actorOf(koa))).map(present) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest-invitations/:id/uses',
      summary: 'Every logged use of a guest’s access: time, action and hashed address',
      tags,
      auth: 'user',
      params: z.object({ id: z.uuid() }),
      responses: {
        200: {
          description: 'uses, newest first',
          schema: z.object({
            items: z.array(
              z.object({ at: z.string(), action: z.string(), ipHash: z.string().nullable() }),
            ),
          }),
        },
      },
      handler: async (koa, { params }) => ({
        status: 200,
        body: {
          items: (await vault.review.listGuestUses(actorOf(koa), params.id)).map((u) => ({
            at: u.at.toISOString(),
            action: u.action,
            ipHash: u.ipHash,
          })),
        },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/guest-invitations/:id',
      summary: 'Revoke a guest invitation (admins): the link and every guest session end at once',
      tags,
      auth: 'user',
      params: z.object({ id: z.uuid() }),
      responses: { 204: { description: 'revoked' } },
      handler: async (koa, { params }) => {
        await vault.review.revokeGuestInvitation(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/guest/code',
      summary:
        'A guest asks for a sign-in code with their invitation link’s token (emailed to them)',
      tags,
      auth: 'public',
      rateLimit: perAddress('guest-code', 10),
      body: z.object({ link: Link }),
      responses: {
        202: {
          description: 'the code is on its way (to the address shown, partly hidden)',
          schema: z.object({ email: z.string() }),
        },
      },
      handler: async (koa, { body }) => ({
        status: 202,
        body: await vault.review.requestGuestCode(body.link, { ipHash: await ip(koa) }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/guest/session',
      summary: `A guest signs in with the link's token and the emailed code; send the session in ${GUEST_SESSION_HEADER}`,
      tags,
      auth: 'public',
      rateLimit: perAddress('guest-sign-in', 20),
      body: z.object({ link: Link, code: z.string().regex(/^\d{6}$/) }),
      responses: {
        201: {
          description: 'a guest session (12 hours at most)',
          schema: z.object({ session: z.string(), expiresAt: z.string(), name: z.string() }),
        },
      },
      handler: async (koa, { body }) => {
        const s = await vault.review.signInGuest(body.link, body.code, { ipHash: await ip(koa) });
        return {
          status: 201,
          headers: { 'Cache-Control': 'no-store' },
          body: { session: s.session, expiresAt: s.expiresAt.toISOString(), name: s.name },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/review',
      summary: 'What a signed-in guest may review (their name and tracks; the use is logged)',
      tags,
      auth: 'public',
      responses: {
        200: {
          description: 'the guest’s scope',
          schema: z.object({
            name: z.string(),
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
      handler: async (koa) => ({
        status: 200,
        body: await vault.review.guestView(guestSession(koa), { ipHash: await ip(koa) }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/review/tracks/:trackId',
      summary: 'The guest’s own comment threads (with replies) and decision on a track',
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: {
          description: 'their review',
          schema: TrackReviewBody,
        },
      },
      handler: async (koa, { params }) => {
        const r = await vault.review.guestReview(guestSession(koa), params.trackId, {
          ipHash: await ip(koa),
        });
        return {
          status: 200,
          body: presentTrackReview(r),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/guest/review/tracks/:trackId/comments',
      summary: 'A guest comments on a track of their scope (same body as members)',
      tags,
      auth: 'public',
      params: TrackParams,
      body: NewComment,
      responses: { 201: { description: 'the new comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentComment(
          await vault.review.guestComment(guestSession(koa), params.trackId, body, {
            ipHash: await ip(koa),
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/guest/review/tracks/:trackId/approvals',
      summary: 'A guest approves or asks for changes on a track of their scope',
      tags,
      auth: 'public',
      params: TrackParams,
      body: NewApproval,
      responses: { 201: { description: 'the decision', schema: ApprovalBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentApproval(
          await vault.review.guestApprove(guestSession(koa), params.trackId, body, {
            ipHash: await ip(koa),
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/review/tracks/:trackId/peaks',
      summary:
        'Waveform peaks of a track of the guest’s scope (audiowaveform JSON; 204 while none)',
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: { description: 'the peaks', schema: z.record(z.string(), z.unknown()) },
        204: { description: 'no peaks yet (the analysis is running)' },
      },
      handler: async (koa, { params }) => {
        const peaks = await vault.review.guestPeaks(guestSession(koa), params.trackId, {
          ipHash: await ip(koa),
        });
        return peaks ? { status: 200, body: peaks } : { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/guest/review/tracks/:trackId/audio',
      summary:
        'The guest’s own copy of a track: a WAV marked with their payload (HTTP Range; audited)',
      tags,
      auth: 'public',
      params: TrackParams,
      responses: {
        200: { description: 'the guest’s marked copy', contentType: 'audio/wav' },
        206: { description: 'a byte range of it', contentType: 'audio/wav' },
      },
      handler: async (koa, { params }) => {
        const copy = await vault.review.guestAudio(guestSession(koa), params.trackId, {
          ipHash: await ip(koa),
        });
        await sendMedia(koa, copy.media, { download: contentDisposition(copy.fileName) });
        return { status: koa.status };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/guest/review/comments/:commentId',
      summary: 'A guest changes the text of one of their comments',
      tags,
      auth: 'public',
      params: z.object({ commentId: z.uuid() }),
      body: z.object({ body: z.string().min(1).max(5000) }).strict(),
      responses: { 200: { description: 'the comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: presentComment(
          await vault.review.guestEditComment(guestSession(koa), params.commentId, body, {
            ipHash: await ip(koa),
          }),
        ),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/guest/review/comments/:commentId',
      summary: 'A guest deletes one of their comments (a thread’s first takes its replies)',
      tags,
      auth: 'public',
      params: z.object({ commentId: z.uuid() }),
      responses: { 204: { description: 'deleted' } },
      handler: async (koa, { params }) => {
        await vault.review.guestDeleteComment(guestSession(koa), params.commentId, {
          ipHash: await ip(koa),
        });
        return { status: 204 };
      },
    }),
  ];
}
