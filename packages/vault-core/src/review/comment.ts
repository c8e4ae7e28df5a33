import { ValidationError } from '../errors.js';
import type { ReviewVersion } from './track-version.js';

/** A comment on a track version, at a point or over a range. */
export interface ReviewComment {
  id: string;
  trackId: string;
  version: ReviewVersion;
  /** The thread's first comment, for a reply; `null` for a thread's first comment. */
  parentId: string | null;
  body: string;
  atSeconds: number;
  /** End of the range; `null` for a comment at a point. */
  endSeconds: number | null;
  author: { kind: 'member' | 'guest' | 'recipient'; name: string };
  /** Whether the caller wrote it (and so may edit or delete it). */
  mine: boolean;
  /** Studio members the body mentions. */
  mentions: Array<{ userId: string; name: string }>;
  resolvedAt: Date | null;
  createdAt: Date;
  editedAt: Date | null;
  /** Replies, oldest first (threads are one level deep); empty on replies. */
  replies: ReviewComment[];
}

/** What a new comment says. */
export interface CommentInput {
  body: string;
  /** Where it points, in seconds from the start; a reply without one takes its thread's. */
  atSeconds?: number;
  /** End of a range, after `atSeconds`. */
  endSeconds?: number | null;
  /** Reply to this comment (a thread's first comment, or a reply in it: the thread is the same). */
  parentId?: string | null;
  /** The version it is about; default the track's current version. */
  versionId?: string | null;
}

/** Longest comment body, in characters. */
export const COMMENT_MAX_CHARS = 5000;

/** A comment body: trimmed, 1 to {@link COMMENT_MAX_CHARS} characters, no control characters but line breaks and tabs. */
export function commentBody(value: unknown): string {
  const body = typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : '';
  if (!body) throw new ValidationError('comment text required', 'body');
  if (body.length > COMMENT_MAX_CHARS) {
    throw new ValidationError(`comment text is limited to ${COMMENT_MAX_CHARS} characters`, 'body');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the check is for control characters
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body)) {
    throw new ValidationError('comment text must not contain control characters', 'body');
  }
  return body;
}

/** A time in seconds: finite, 0 to `max`. */
export function seconds(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new ValidationError(
      `${field} must be a number of seconds from 0 to ${Math.floor(max)}`,
      field,
    );
  }
  return Math.round(value * 1000) / 1000;
}

const date = (v: unknown) => (v ? new Date(v as string) : null);

/** Maps a stored comment to its view; `mine` says whether `isMine(row)` holds for the caller. */
export function toComment(
  // biome-ignore lint/suspicious/noExplicitAny: database row
  r: any,
  version: ReviewVersion,
  mine: boolean,
  names: Map<string, string>,
): ReviewComment {
  const mentions = ((r.mentions as string[] | null) ?? []).map((userId) => ({
    userId,
    name: names.get(userId) ?? '',
  }));
  return {
    id: r.id,
    trackId: r.track_id,
    version,
    parentId: r.parent_id ?? null,
    body: r.body,
    atSeconds: Number(r.at_seconds),
    endSeconds: r.end_seconds == null ? null : Number(r.end_seconds),
    author: { kind: r.author_kind, name: r.author_name },
    mine,
    mentions,
    resolvedAt: date(r.resolved_at),
    createdAt: new Date(r.created_at),
    editedAt: date(r.edited_at),
    replies: [],
  };
}
