import { assertPasswordPolicy } from '../accounts/passwords.js';
import { isUuid } from '../db/transactions.js';
import { normalizeEmail } from '../email-address.js';
import { ValidationError } from '../errors.js';
import { type PreviewBitrate, previewBitrate } from '../media/preview-encoder.js';

/** A recipient named when a share is created. */
export interface RecipientInput {
  name: string;
  email: string;
  company?: string | null;
}

/** What {@link createShare} accepts. Tracks are given by id, by folder, or both. */
export interface CreateShareInput {
  title?: string | null;
  trackIds?: string[];
  /** Shares every track directly in this folder. */
  folderId?: string | null;
  recipients: RecipientInput[];
  /** Default: the organization's default share lifetime from activation (or now). */
  expiresAt?: Date | string | null;
  /** The links work from this instant on (default: at once). */
  activatesAt?: Date | string | null;
  password?: string | null;
  /** Whether recipients may download their copy (default: stream only). */
  allowDownload?: boolean;
  /** Whether recipients may comment and approve (default: no). */
  allowFeedback?: boolean;
  /** Bit rate of the marked lossy preview recipients stream, kbps (default 256). */
  previewKbps?: number;
  /** Plays per recipient (default unlimited). */
  maxPlays?: number | null;
  /** Downloads per recipient (default unlimited). */
  maxDownloads?: number | null;
  note?: string | null;
  /** Mail each recipient their link, `linkBase + token`. */
  notify?: { linkBase: string } | null;
}

/** Checks recipients (name, email, optional company): trimmed, emails normalized, none twice. */
export function cleanRecipients(
  list: ReadonlyArray<RecipientInput>,
): Array<{ name: string; email: string; company: string | null }> {
  const seen = new Set<string>();
  return list.map((r, i) => {
    const at = `recipients[${i}]`;
    if (!r || typeof r !== 'object') throw new ValidationError('recipient required', at);
    const name = cleanText(r.name, `${at}.name`, 200, true) as string;
    let email: string;
    try {
      email = normalizeEmail(r.email);
    } catch {
      throw new ValidationError('invalid email address', `${at}.email`);
    }
    if (seen.has(email)) throw new ValidationError('recipient named twice', `${at}.email`);
    seen.add(email);
    return { name, email, company: cleanText(r.company, `${at}.company`, 200) };
  });
}

/** Most recipients and tracks one share may name. */
export const MAX_SHARE_RECIPIENTS = 100;
/** Most tracks one share may carry. */
export const MAX_SHARE_TRACKS = 200;

/** Trimmed text without control characters; `null` when empty and optional. */
export function cleanText(value: unknown, field: string, max: number, required = false) {
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(`${field} required`, field);
    return null;
  }
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`, field);
  const v = value.replace(/\p{Cc}/gu, ' ').trim();
  if (required && !v) throw new ValidationError(`${field} required`, field);
  if (v.length > max) throw new ValidationError(`${field} longer than ${max} characters`, field);
  return v || null;
}

/** An optional instant given as a Date or ISO text. */
export function optionalDate(value: unknown, field: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const d = value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
  if (typeof value !== 'string' && !(value instanceof Date)) {
    throw new ValidationError(`${field} must be a date`, field);
  }
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${field} must be a date`, field);
  return d;
}

/** An optional per-recipient limit: a whole number from 1 to 1000000, or `null` for none. */
export function limit(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1_000_000) {
    throw new ValidationError(`${field} must be a whole number from 1 to 1000000`, field);
  }
  return value as number;
}

/** A link base for mailed links: an absolute http(s) URL prefix. */
export function linkBase(value: unknown, field = 'linkBase'): string {
  if (typeof value !== 'string' || value.length > 2000 || !/^https?:\/\/[^\s<>"]+$/.test(value)) {
    throw new ValidationError('link base must be an absolute http(s) URL', field);
  }
  return value;
}

/** The validated form of {@link CreateShareInput}, before the organization's settings apply. */
export interface ShareFields {
  title: string | null;
  trackIds: string[];
  folderId: string | null;
  recipients: Array<{ name: string; email: string; company: string | null }>;
  expiresAt: Date | null;
  activatesAt: Date | null;
  password: string | null;
  allowDownload: boolean;
  allowFeedback: boolean;
  previewKbps: PreviewBitrate;
  maxPlays: number | null;
  maxDownloads: number | null;
  note: string | null;
  linkBase: string | null;
}

/** Validates everything that does not need the database; every error names its field. */
export function shareFields(input: CreateShareInput): ShareFields {
  if (!input || typeof input !== 'object') throw new ValidationError('share input required');
  const trackIds = input.trackIds ?? [];
  if (!Array.isArray(trackIds) || trackIds.length > MAX_SHARE_TRACKS) {
    throw new ValidationError(`trackIds must be a list of at most ${MAX_SHARE_TRACKS}`, 'trackIds');
  }
  for (const id of trackIds)
    if (!isUuid(id)) throw new ValidationError('unknown track', 'trackIds');
  const folderId = input.folderId ?? null;
  if (folderId !== null && !isUuid(folderId))
    throw new ValidationError('unknown folder', 'folderId');
  if (trackIds.length === 0 && folderId === null) {
    throw new ValidationError('a share needs at least one track', 'trackIds');
  }
  const list = input.recipients;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SHARE_RECIPIENTS) {
    throw new ValidationError(
      `a share needs 1 to ${MAX_SHARE_RECIPIENTS} recipients`,
      'recipients',
    );
  }
  const recipients = cleanRecipients(list);
  let password: string | null = null;
  if (input.password !== undefined && input.password !== null && input.password !== '') {
    assertPasswordPolicy(input.password);
    password = input.password;
  }
  if (input.allowDownload !== undefined && typeof input.allowDownload !== 'boolean') {
    throw new ValidationError('allowDownload must be true or false', 'allowDownload');
  }
  if (input.allowFeedback !== undefined && typeof input.allowFeedback !== 'boolean') {
    throw new ValidationError('allowFeedback must be true or false', 'allowFeedback');
  }
  return {
    title: cleanText(input.title, 'title', 300),
    trackIds: [...new Set(trackIds)],
    folderId,
    recipients,
    expiresAt: optionalDate(input.expiresAt, 'expiresAt'),
    activatesAt: optionalDate(input.activatesAt, 'activatesAt'),
    password,
    allowDownload: input.allowDownload ?? false,
    allowFeedback: input.allowFeedback ?? false,
    previewKbps: previewBitrate(input.previewKbps),
    maxPlays: limit(input.maxPlays, 'maxPlays'),
    maxDownloads: limit(input.maxDownloads, 'maxDownloads'),
    note: cleanText(input.note, 'note', 2000),
    linkBase: input.notify ? linkBase(input.notify.linkBase, 'notify.linkBase') : null,
  };
}
