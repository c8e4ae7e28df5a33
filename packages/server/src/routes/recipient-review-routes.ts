import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import type { ServerContext } from '../vault/server-context.js';
import { clientOf, LinkToken, TrackParams } from './recipient-routes.js';
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

const tags = ['recipients', 'review'];
// Recipients write from a public link: a few per minute is plenty for a listener.
const rateLimit = {
  name: 'recipient-feedback',
  max: 30,
  windowMs: 60_000,
  keyOf: (koa: { ip: string }) => koa.ip,
};

/**
 * A recipient's feedback under their personal link, when the share allows it: comments on the
 * current version of a shared track (or replies in their own threads) and a decision, under
 * their share identity. The same bodies as the members' routes; `versionId` is ignored.
 */
export function recipientReviewRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/s/:token/review',
      summary:
        'For the recipient’s page: whether the share takes feedback and, if so, the recipient’s own review of each track',
      tags,
      auth: 'public',
      params: LinkToken,
      responses: {
        200: {
          description: 'feedback on or off, and the review per track id',
          schema: z.object({
            allowFeedback: z.boolean(),
            tracks: z.record(z.string(), TrackReviewBody),
          }),
        },
      },
      handler: async (koa, { params }) => {
        const f = await vault.review.recipientFeedback(params.token, await clientOf(vault, koa));
        const tracks: Record<string, unknown> = {};
        for (const [id, r] of Object.entries(f.tracks)) {
          tracks[id] = presentTrackReview(r);
        }
        return {
          status: 200,
          headers: { 'Cache-Control': 'private, no-store' },
          body: { allowFeedback: f.allowFeedback, tracks },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/s/:token/tracks/:trackId/review',
      summary: 'The recipient’s own comment threads (with replies) and decision on a shared track',
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
        const review = await vault.review.recipientReview(
          params.token,
          params.trackId,
          await clientOf(vault, koa),
        );
        return {
          status: 200,
          headers: { 'Cache-Control': 'private, no-store' },
          body: presentTrackReview(review),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/s/:token/tracks/:trackId/comments',
      summary: 'A recipient comments on a shared track (when the share allows feedback)',
      tags,
      auth: 'public',
      rateLimit,
      params: TrackParams,
      body: NewComment,
      responses: { 201: { description: 'the new comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentComment(
          await vault.review.recipientComment(
            params.token,
            params.trackId,
            body,
            await clientOf(vault, koa),
          ),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/s/:token/tracks/:trackId/approvals',
      summary: 'A recipient approves or asks for changes (when the share allows feedback)',
      tags,
      auth: 'public',
      rateLimit,
      params: TrackParams,
      body: NewApproval,
      responses: { 201: { description: 'the decision', schema: ApprovalBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentApproval(
          await vault.review.recipientApprove(
            params.token,
            params.trackId,
            body,
            await clientOf(vault, koa),
          ),
        ),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/s/:token/comments/:commentId',
      summary: 'A recipient changes the text of one of their comments',
      tags,
      auth: 'public',
      rateLimit,
      params: LinkToken.extend({ commentId: z.uuid() }),
      body: z.object({ body: z.string().min(1).max(5000) }).strict(),
      responses: { 200: { description: 'the comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: presentComment(
          await vault.review.recipientEditComment(
            params.token,
            params.commentId,
            body,
            await clientOf(vault, koa),
          ),
        ),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/s/:token/comments/:commentId',
      summary: 'A recipient deletes one of their comments (a thread’s first takes its replies)',
      tags,
      auth: 'public',
      rateLimit,
      params: LinkToken.extend({ commentId: z.uuid() }),
      responses: { 204: { description: 'deleted' } },
      handler: async (koa, { params }) => {
        await vault.review.recipientDeleteComment(
          params.token,
          params.commentId,
          await clientOf(vault, koa),
        );
        return { status: 204 };
      },
    }),
  ];
}
