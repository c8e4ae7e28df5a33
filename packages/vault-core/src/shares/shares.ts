import { randomUUID } from 'node:crypto';
import { hashPassword } from '../accounts/passwords.js';
import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import { enqueueJob } from '../jobs/job-queue.js';
import { type Actor, authorize } from '../policies.js';
import { type CreateShareInput, shareFields } from './share-input.js';
import type { ShareLink } from './share-link.js';
import { insertRecipients, mapCopies } from './share-recipients.js';
import { readShareSettings } from './share-settings.js';

export type { ShareLink } from './share-link.js';

const DAY = 86_400_000;

/** Where a share stands now. */
export type ShareStatus = 'scheduled' | 'active' | 'expired' | 'revoked';

/** A share as listed to its organization. */
export interface ShareSummary {
  id: string;
  title: string | null;
  note: string | null;
  status: ShareStatus;
  createdAt: Date;
  createdBy: string | null;
  activatesAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
  passwordProtected: boolean;
  allowDownload: boolean;
  /** Whether recipients may comment and approve. */
  allowFeedback: boolean;
  /** Bit rate of the marked lossy preview recipients stream (kbps). */
  previewKbps: number;
  maxPlays: number | null;
  maxDownloads: number | null;
  trackCount: number;
  recipientCount: number;
}

/** One recipient of a share with their counters (never their token). */
export interface ShareRecipient {
  id: string;
  name: string;
  email: string;
  company: string | null;
  plays: number;
  downloads: number;
  createdAt: Date;
  revokedAt: Date | null;
  lastAccessAt: Date | null;
}

/** One entry of a share's access log. */
export interface AccessEvent {
  recipientId: string;
  trackId: string | null;
  kind: 'opened' | 'played' | 'downloaded' | 'password_failed';
  positionSeconds: number | null;
  ipHash: string | null;
  userAgent: string | null;
  at: Date;
}

/** A share with its tracks, recipients and access log (newest first, at most 1000 entries). */
export interface ShareDetail extends ShareSummary {
  tracks: Array<{ id: string; title: string; durationSeconds: number | null }>;
  recipients: ShareRecipient[];
  accessLog: AccessEvent[];
}

/** The status of a share row at `now`. */
// biome-ignore lint/suspicious/noExplicitAny: database row
export function shareStatus(r: any, now: Date): ShareStatus {
  if (r.revoked_at || r.disabled_at) return 'revoked';
  if (new Date(r.expires_at) <= now) return 'expired';
  if (r.activates_at && new Date(r.activates_at) > now) return 'scheduled';
  return 'active';
}

const date = (v: unknown) => (v ? new Date(v as string) : null);
const num = (v: unknown) => (v == null ? null : Number(v));

// biome-ignore lint/suspicious/noExplicitAny: database row
function toSummary(r: any, now: Date): ShareSummary {
  return {
    id: r.id,
    title: r.title,
    note: r.note,
    status: shareStatus(r, now),
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
    activatesAt: date(r.activates_at),
    expiresAt: new Date(r.expires_at),
    revokedAt: date(r.revoked_at),
    passwordProtected: r.password_hash != null,
    allowDownload: Boolean(r.allow_download),
    allowFeedback: Boolean(r.allow_feedback),
    previewKbps: Number(r.preview_kbps ?? 256),
    maxPlays: num(r.max_plays),
    maxDownloads: num(r.max_downloads),
    trackCount: Number(r.track_count ?? 0),
    recipientCount: Number(r.recipient_count ?? 0),
  };
}

function withCounts(tx: Tx) {
  return tx('shares').select(
    'shares.*',
    tx.raw('(SELECT count(*) FROM share_tracks t WHERE t.share_id = shares.id) AS track_count'),
    tx.raw(
      '(SELECT count(*) FROM share_recipients r WHERE r.share_id = shares.id) AS recipient_count',
    ),
  );
}

/** The ids of the tracks named (each readable) and of a folder's readable tracks, deduplicated. */
export async function resolveTracks(tx: Tx, trackIds: string[], folderId: string | null) {
  const ids = new Set<string>();
  if (trackIds.length > 0) {
    const found: { id: string; title: string; analysis_status: string }[] = await tx('tracks')
      .whereIn('id', trackIds)
      .select('id', 'title', 'analysis_status');
    if (found.length !== trackIds.length) throw new ValidationError('unknown track', 'trackIds');
    // Audio the vault could not read would reach the recipient as an empty player.
    const unreadable = found.find((t) => t.analysis_status === 'failed');
    if (unreadable) {
      throw new ValidationError(
        `“${unreadable.title}” could not be read (its analysis failed), so it cannot be shared`,
        'trackIds',
      );
    }
    for (const id of trackIds) ids.add(id);
  }
  if (folderId) {
    if (!(await tx('folders').where({ id: folderId }).first('id'))) {
      throw new ValidationError('unknown folder', 'folderId');
    }
    const inFolder: string[] = await tx('tracks')
      .where({ folder_id: folderId })
      .whereNot({ analysis_status: 'failed' })
      .orderBy('title')
      .pluck('id');
    for (const id of inFolder) ids.add(id);
  }
  if (ids.size === 0) throw new ValidationError('a share needs at least one track', 'trackIds');
  return [...ids];
}

/** Mail is best effort: the share stands either way, and the caller learns what was sent. */
export async function sendQuietly(
  deps: Pick<VaultDeps, 'mailer'>,
  mail: Parameters<VaultDeps['mailer']['send']>[0],
): Promise<boolean> {
  try {
    await deps.mailer.send(mail);
    return true;
  } catch {
    return false;
  }
}

/** The email that gives a recipient their link. */
export function linkMail(
  link: { name: string; email: string },
  url: string,
  share: Pick<ShareSummary, 'title' | 'expiresAt' | 'note'>,
) {
  const what = share.title ? `"${share.title}"` : 'music';
  return {
    to: link.email,
    subject: `${link.name}, ${what} was shared with you`,
    text: [
      `Hello ${link.name},`,
      '',
      `${what} was shared with you. Your personal link:`,
      url,
      '',
      `It works until ${share.expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
      ...(share.note ? ['', share.note] : []),
      '',
      'The link is for you alone: every copy it plays or downloads carries a watermark that names you.',
    ].join('\n'),
  };
}

/**
 * Creates a share of tracks (by id and/or a folder) with named recipients. Each recipient gets
 * their own link token (returned once, stored as SHA-256) and, per track, a forensic mapping
 * row: the 128-bit payload of their copy, the current watermark key id, and `retain_until` =
 * creation + {@link FORENSIC_RETENTION_MS}. Share, recipients, mappings and the audit event are
 * written in one transaction; with `notify`, each recipient is mailed their link afterwards.
 */
export async function createShare(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys' | 'mailer' | 'auditSigner'>,
  actor: Actor,
  input: CreateShareInput,
): Promise<{ share: ShareSummary; links: ShareLink[] }> {
  authorize(actor, 'share', 'create');
  const f = shareFields(input);
  const passwordHash = f.password ? await hashPassword(f.password) : null;
  const result = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const settings = await readShareSettings(tx, actor.tenantId);
    const start = f.activatesAt && f.activatesAt > now ? f.activatesAt : now;
    const expiresAt = f.expiresAt ?? new Date(start.getTime() + settings.defaultExpiryDays * DAY);
    if (expiresAt <= now || expiresAt.getTime() - now.getTime() > settings.maxExpiryDays * DAY) {
      throw new ValidationError(
        `expiry must be within the next ${settings.maxExpiryDays} days`,
        'expiresAt',
      );
    }
    if (f.activatesAt && f.activatesAt >= expiresAt) {
      throw new ValidationError('activation must come before expiry', 'activatesAt');
    }
    const trackIds = await resolveTracks(tx, f.trackIds, f.folderId);
    const shareId = randomUUID();
    const [row] = await tx('shares')
      .insert({
        id: shareId,
        tenant_id: actor.tenantId,
        created_by: actor.userId,
        title: f.title,
        note: f.note,
        password_hash: passwordHash,
        allow_download: f.allowDownload,
        allow_feedback: f.allowFeedback,
        preview_kbps: f.previewKbps,
        max_plays: f.maxPlays,
        max_downloads: f.maxDownloads,
        activates_at: f.activatesAt,
        expires_at: expiresAt,
        created_at: now,
      })
      .returning('*');
    await tx('share_tracks').insert(
      trackIds.map((trackId) => ({
        tenant_id: actor.tenantId,
        share_id: shareId,
        track_id: trackId,
      })),
    );
    const links = await insertRecipients(
      deps,
      tx,
      now,
      { tenantId: actor.tenantId, shareId },
      f.recipients,
    );
    const keyId = await mapCopies(
      deps,
      tx,
      actor,
      now,
      shareId,
      links.map((l) => l.recipientId),
      trackIds,
    );
    await appendActorAudit(tx, now, actor, {
      action: 'share.create',
      objectType: 'share',
      objectId: shareId,
      detail: {
        tracks: trackIds.length,
        recipients: links.length,
        keyId,
        expiresAt: expiresAt.toISOString(),
      },
    });
    // Every recipient's marked preview is rendered in the background, ready for the first play.
    await enqueueJob(tx, now, {
      tenantId: actor.tenantId,
      queue: 'previews',
      idempotencyKey: shareId,
      payload: { shareId },
    });
    const share = toSummary(
      { ...row, track_count: trackIds.length, recipient_count: links.length },
      now,
    );
    return { share, links };
  });
  if (f.linkBase) {
    const base = f.linkBase;
    for (const link of result.links) {
      link.mailed = await sendQuietly(deps, linkMail(link, base + link.token, result.share));
    }
  }
  return result;
}

/** The organization's shares, newest first. */
export async function listShares(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  page: { limit?: number; offset?: number } = {},
): Promise<ShareSummary[]> {
  authorize(actor, 'share', 'read');
  const limit = Math.min(Math.max(1, Math.trunc(page.limit ?? 50)), 200);
  const offset = Math.max(0, Math.trunc(page.offset ?? 0));
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    withCounts(tx)
      .orderBy([{ column: 'created_at', order: 'desc' }, 'id'])
      .limit(limit)
      .offset(offset),
  );
  const now = deps.clock.now();
  return rows.map((r) => toSummary(r, now));
}

async function findShare(tx: Tx, shareId: string) {
  if (!isUuid(shareId)) return undefined;
  return withCounts(tx).where({ id: shareId }).first();
}

/** One share with tracks, recipients (counters, last access) and the access log. */
export async function getShare(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  shareId: string,
): Promise<ShareDetail> {
  authorize(actor, 'share', 'read');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await findShare(tx, shareId);
    if (!row) throw new NotFoundError('share');
    const tracks = await tx('share_tracks')
      .join('tracks', 'tracks.id', 'share_tracks.track_id')
      .where({ share_id: shareId })
      .orderBy('tracks.title')
      .select('tracks.id', 'tracks.title', 'tracks.duration_seconds');
    const recipients = await tx('share_recipients')
      .where({ share_id: shareId })
      .orderBy(['created_at', 'name'])
      .select(
        'share_recipients.*',
        tx.raw(
          '(SELECT max(at) FROM access_events a WHERE a.recipient_id = share_recipients.id) AS last_access_at',
        ),
      );
    const events = await tx('access_events')
      .where({ share_id: shareId })
      .orderBy([{ column: 'at', order: 'desc' }])
      .limit(1000);
    return {
      ...toSummary(row, deps.clock.now()),
      tracks: tracks.map((t) => ({
        id: t.id,
        title: t.title,
        durationSeconds: num(t.duration_seconds),
      })),
      recipients: recipients.map((r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        company: r.company,
        plays: Number(r.plays),
        downloads: Number(r.downloads),
        createdAt: new Date(r.created_at),
        revokedAt: date(r.revoked_at),
        lastAccessAt: date(r.last_access_at),
      })),
      accessLog: events.map(toAccessEvent),
    };
  });
}

/** An `access_events` row as returned to owners. */
// biome-ignore lint/suspicious/noExplicitAny: database row
export function toAccessEvent(r: any): AccessEvent {
  return {
    recipientId: r.recipient_id,
    trackId: r.track_id,
    kind: r.kind,
    positionSeconds: num(r.position_seconds),
    ipHash: r.ip_hash,
    userAgent: r.user_agent,
    at: new Date(r.at),
  };
}

/** A share of the actor's tenant, locked for a change the actor may make (else not found or forbidden). */
export async function shareForChange(
  tx: Tx,
  actor: Actor,
  shareId: string,
  action: 'revoke' | 'update',
) {
  const row = isUuid(shareId)
    ? await tx('shares').where({ id: shareId }).forUpdate().first()
    : null;
  if (!row) throw new NotFoundError('share');
  authorize(actor, 'share', action, { tenantId: row.tenant_id, createdBy: row.created_by });
  return row;
}

async function recipientOf(tx: Tx, shareId: string, recipientId: unknown) {
  const r = isUuid(recipientId)
    ? await tx('share_recipients').where({ id: recipientId, share_id: shareId }).first()
    : undefined;
  if (!r) throw new NotFoundError('recipient');
  return r;
}

/**
 * Revokes a share, or only one recipient's link (`recipientId`), by the share's creator or an
 * admin. Takes effect on the next request: every recipient call re-reads the share's state.
 */
export async function revokeShare(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  shareId: string,
  options: { recipientId?: string } = {},
): Promise<void> {
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await shareForChange(tx, actor, shareId, 'revoke');
    const now = deps.clock.now();
    let recipients: string[];
    if (options.recipientId !== undefined) {
      const r = await recipientOf(tx, shareId, options.recipientId);
      await tx('share_recipients').where({ id: r.id }).update({ revoked_at: now });
      recipients = [r.id];
    } else {
      await tx('shares').where({ id: shareId }).update({ revoked_at: now });
      recipients = await tx('share_recipients').where({ share_id: shareId }).pluck('id');
    }
    await tx('share_grants').whereIn('recipient_id', recipients).del();
    await appendActorAudit(tx, now, actor, {
      action: 'share.revoke',
      objectType: 'share',
      objectId: shareId,
      detail: options.recipientId ? { recipientId: options.recipientId } : {},
    });
  });
}
