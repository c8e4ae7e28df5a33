import type { Vault } from '@vaultmark/vault-core';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { actorOf, type ServerContext } from '../vault/server-context.js';

type Comment = Awaited<ReturnType<Vault['review']['comment']>>;
type Approval = Awaited<ReturnType<Vault['review']['approve']>>;
type VersionApprovals = Awaited<ReturnType<Vault['review']['listApprovals']>>;

const Kind = z.enum(['member', 'guest', 'recipient']);
const VersionBody = z.object({ id: z.string(), number: z.number().int(), current: z.boolean() });

/** One comment as the API shows it. */
const CommentFields = z.object({
  id: z.string(),
  trackId: z.string(),
  parentId: z.string().nullable(),
  body: z.string(),
  atSeconds: z.number(),
  endSeconds: z.number().nullable(),
  author: z.object({ name: z.string(), kind: Kind }),
  /** Whether the caller wrote it (and may edit or delete it). */
  mine: z.boolean(),
  mentions: z.array(z.object({ userId: z.string(), name: z.string() })),
  version: VersionBody,
  resolvedAt: z.string().nullable(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
});
/** A thread's first comment with its replies (replies carry an empty list). */
export const CommentBody = CommentFields.extend({ replies: z.array(CommentFields) });

/** One reviewer's decision as the API shows it. */
export const ApprovalBody = z.object({
  id: z.string(),
  trackId: z.string(),
  decision: z.enum(['approved', 'changes_requested']),
  note: z.string().nullable(),
  reviewer: z.object({ name: z.string(), kind: Kind }),
  mine: z.boolean(),
  version: VersionBody,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const VersionApprovalsBody = z.object({
  version: VersionBody,
  items: z.array(ApprovalBody),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function commentFields(c: Comment): z.infer<typeof CommentFields> {
  return {
    id: c.id,
    trackId: c.trackId,
    parentId: c.parentId,
    body: c.body,
    atSeconds: c.atSeconds,
    endSeconds: c.endSeconds,
    author: c.author,
    mine: c.mine,
    mentions: c.mentions,
    version: c.version,
    resolvedAt: iso(c.resolvedAt),
    createdAt: c.createdAt.toISOString(),
    editedAt: iso(c.editedAt),
  };
}

/** Maps a comment (and its replies) to the API's shape. */
export function presentComment(c: Comment): z.infer<typeof CommentBody> {
  return { ...commentFields(c), replies: c.replies.map(commentFields) };
}

/** Maps a decision to the API's shape. */
export function presentApproval(a: Approval): z.infer<typeof ApprovalBody> {
  return {
    id: a.id,
    trackId: a.trackId,
    decision: a.decision,
    note: a.note,
    reviewer: a.reviewer,
    mine: a.mine,
    version: a.version,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentApprovals(v: VersionApprovals): z.infer<typeof VersionApprovalsBody> {
  return { version: v.version, items: v.items.map(presentApproval) };
}

/** A reviewer's own view of one track: their comment threads and the version's decisions. */
export const TrackReviewBody = z.object({
  comments: z.array(CommentBody),
  approvals: VersionApprovalsBody,
});

export function presentTrackReview(r: {
  comments: Comment[];
  approvals: VersionApprovals;
}): z.infer<typeof TrackReviewBody> {
  return { comments: r.comments.map(presentComment), approvals: presentApprovals(r.approvals) };
}

/** A new comment: at a point (`atSeconds`) or over a range (to `endSeconds`), or a reply. */
export const NewComment = z.object({
  body: z.string().min(1).max(5000),
  atSeconds: z.number().min(0).max(86_400).optional(),
  endSeconds: z.number().min(0).max(86_400).nullable().optional(),
  parentId: z.uuid().optional(),
  versionId: z.uuid().optional(),
});
/** A decision on a version. */
export const NewApproval = z.object({
  decision: z.enum(['approved', 'changes_requested']),
  note: z.string().max(2000).nullable().optional(),
  versionId: z.uuid().optional(),
});

const Id = z.object({ id: z.uuid() });
const VersionQuery = z.object({ versionId: z.uuid().optional() });
const tags = ['review'];

/**
 * Audio review by studio members: timecoded comments on a track version (threads, edit and
 * delete by the author, resolve and reopen by the track's creator or admins) and approvals.
 */
export function reviewRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'post',
      path: '/api/tracks/:id/comments',
      summary:
        'Comment on a track version at a point or over a range, or reply (mentions: @Name or @email)',
      tags,
      auth: 'user',
      params: Id,
      body: NewComment,
      responses: { 201: { description: 'the new comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentComment(await vault.review.comment(actorOf(koa), params.id, body)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/comments',
      summary:
        'A track’s comment threads: every version’s (each labelled, current first) or one version’s',
      tags,
      auth: 'user',
      params: Id,
      query: VersionQuery,
      responses: {
        200: { description: 'threads', schema: z.object({ items: z.array(CommentBody) }) },
      },
      handler: async (koa, { params, query }) => ({
        status: 200,
        body: {
          items: (
            await vault.review.listComments(actorOf(koa), params.id, {
              versionId: query.versionId ?? null,
            })
          ).map(presentComment),
        },
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/comments/:id',
      summary: 'Change a comment’s text (its author only)',
      tags,
      auth: 'user',
      params: Id,
      body: z.object({ body: z.string().min(1).max(5000) }).strict(),
      responses: { 200: { description: 'the comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: presentComment(await vault.review.editComment(actorOf(koa), params.id, body)),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/comments/:id',
      summary: 'Delete a comment (its author only); a thread’s first comment takes its replies',
      tags,
      auth: 'user',
      params: Id,
      responses: { 204: { description: 'deleted' } },
      handler: async (koa, { params }) => {
        await vault.review.deleteComment(actorOf(koa), params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/comments/:id/resolve',
      summary:
        'Resolve a thread, or reopen it with `{ "resolved": false }` (the track’s creator, admins)',
      tags,
      auth: 'user',
      params: Id,
      body: z.object({ resolved: z.boolean().optional() }).strict(),
      responses: { 200: { description: 'the thread’s first comment', schema: CommentBody } },
      handler: async (koa, { params, body }) => ({
        status: 200,
        body: presentComment(
          await vault.review.resolveComment(actorOf(koa), params.id, body.resolved ?? true),
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tracks/:id/approvals',
      summary: 'Record "approved" or "changes requested" on a track version, with an optional note',
      tags,
      auth: 'user',
      params: Id,
      body: NewApproval,
      responses: { 201: { description: 'the decision', schema: ApprovalBody } },
      handler: async (koa, { params, body }) => ({
        status: 201,
        body: presentApproval(await vault.review.approve(actorOf(koa), params.id, body)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/tracks/:id/approvals',
      summary:
        'The decisions on a track version (default the current one: a new version starts with none)',
      tags,
      auth: 'user',
      params: Id,
      query: VersionQuery,
      responses: { 200: { description: 'decisions', schema: VersionApprovalsBody } },
      handler: async (koa, { params, query }) => ({
        status: 200,
        body: presentApprovals(
          await vault.review.listApprovals(actorOf(koa), params.id, {
            versionId: query.versionId ?? null,
          }),
        ),
      }),
    }),
  ];
}
