import { randomUUID } from 'node:crypto';
import type { WatermarkKey } from '@vaultmark/watermark';
import { verifyPassword } from '../accounts/passwords.js';
import { appendAudit } from '../audit/audit-log.js';
import { tokenHash } from '../crypto/access-token.js';
import { isUuid, type Tx, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import {
  ForbiddenError,
  InvalidCredentialsError,
  LimitReachedError,
  NotFoundError,
  PasswordRequiredError,
  RateLimitedError,
  ShareUnavailableError,
  ValidationError,
} from '../errors.js';
import type { MasterObject } from '../media/decoded-masters.js';
import { audioFileName } from '../media/file-names.js';
import { mediaOf } from '../media/marked-media.js';
import { bufferMedia, type MediaSource } from '../media/media-source.js';
import { type PreviewBitrate, previewBitrate } from '../media/preview-encoder.js';
import { markedPreview } from '../media/stored-previews.js';
import { watermarkKeyFromRow } from '../media/watermark-key-store.js';
import { decryptObjectRow } from '../objects/object-store.js';
import { newGrantToken } from './link-token.js';
import { checkRanges, type Range } from './listening-ranges.js';
import type { RecipientContext } from './recipient-context.js';
import { notifyShareEvent, PASSWORD_FAILURES_NOTIFIED } from './share-notifications.js';
import { shareStatus } from './shares.js';
import { clearUnlockAttempts, reserveUnlockAttempt } from './unlock-throttle.js';

export type { RecipientContext } from './recipient-context.js';

/** How long an access grant of a password-protected share lasts: 12 hours. */
export const SHARE_GRANT_TTL_MS = 12 * 3600_000;

/**
 * What a stream request is to the play count: `start` (the beginning of the audio: one play,
 * refused once the share's plays are used up) or `continue` (a seek within a started play, not
 * counted). Without it nothing is counted and a used-up share refuses.
 */
export type PlayRequest = 'start' | 'continue';

/** What the server knows about the recipient's request. */
export interface RecipientClient {
  /** `clientIpHash(ip)` of the request. */
  ipHash?: string | null;
  userAgent?: string | null;
  /** The access grant from {@link unlockShare} (a cookie), for password-protected shares. */
  grant?: string | null;
}

/** A shared track as the recipient sees it. */
export interface RecipientTrackInfo {
  id: string;
  title: string;
  artist: string | null;
  durationSeconds: number | null;
  bpm: number | null;
  key: string | null;
  /** Whether the track has artwork (`/s/<token>/tracks/<id>/artwork`). */
  hasArtwork: boolean;
}

/** The recipient's view of their share. */
export interface RecipientView {
  shareId: string;
  title: string | null;
  note: string | null;
  expiresAt: Date;
  allowDownload: boolean;
  /** Whether the recipient may comment and approve. */
  allowFeedback: boolean;
  /** Bit rate of the marked lossy preview the recipient streams (kbps). */
  previewKbps: number;
  /** The organization that shared (its name, as its members see it; its accent colour, logo). */
  sender: { organizationName: string; brandColor: string | null; hasLogo: boolean };
  recipient: { id: string; name: string };
  tracks: RecipientTrackInfo[];
  /** Plays left on this link, or `null` when unlimited. */
  playsLeft: number | null;
  /** Downloads left on this link (0 when downloads are not allowed), or `null` when unlimited. */
  downloadsLeft: number | null;
}

/**
 * One recipient's authorized access to one shared track, inside vault-core: the master (unmarked,
 * decrypted only when opened) with the mark their mapping records. Never leaves the package: the
 * public use-cases turn it into a marked copy first.
 */
export interface RecipientTrackAccess {
  tenantId: string;
  /** The stored master, unmarked. */
  master: MasterObject;
  /** The tenant's watermark key that this recipient's mapping records. */
  key: WatermarkKey;
  keyId: string;
  /** The recipient's 128-bit payload for this track, 32 hex digits. */
  payload: string;
  track: RecipientTrackInfo;
  originalFileName: string | null;
  /** A safe file name for the marked WAV download. */
  downloadFileName: string;
  recipient: { id: string; name: string };
  /** Bit rate of the share's lossy previews (kbps). */
  previewKbps: PreviewBitrate;
}

/** One recipient's own copy of one shared track, marked with their payload, ready to send. */
export interface RecipientTrack {
  /** `stream`: a lossy preview (MP3); `download`: the lossless WAV. Both marked. */
  media: MediaSource;
  kind: 'stream' | 'download';
  track: RecipientTrackInfo;
  /** A safe file name for the download. */
  downloadFileName: string;
  recipient: { id: string; name: string };
  /** The mapping's key and payload (for the record; the mark is already in `media`). */
  keyId: string;
  payload: string;
  /** The organization the share belongs to (for per-organization metrics). */
  organizationId: string;
}

/**
 * Which tenant and recipient row a link token hash names, remembered (the mapping never changes:
 * a replaced link has a new token). The tenant transaction checks the token hash again, so a
 * remembered entry can never open more than the database allows. One map per database.
 */
const linkOwnersByDb = new WeakMap<object, Map<string, { id: string; tenantId: string }>>();
const LINK_OWNERS_MAX = 10_000;

async function linkOwner(
  deps: Pick<VaultDeps, 'db'>,
  id: string,
  hash: Buffer,
): Promise<{ id: string; tenantId: string } | undefined> {
  let linkOwners = linkOwnersByDb.get(deps.db);
  if (!linkOwners) {
    linkOwners = new Map();
    linkOwnersByDb.set(deps.db, linkOwners);
  }
  const known = linkOwners.get(id);
  if (known) return known;
  const found = await withSystem(deps.db, (tx) =>
    tx('share_recipients').where({ token_hash: hash }).first('id', 'tenant_id'),
  );
  if (!found) return undefined;
  const owner = { id: found.id as string, tenantId: found.tenant_id as string };
  if (linkOwners.size >= LINK_OWNERS_MAX) linkOwners.delete(linkOwners.keys().next().value!);
  linkOwners.set(id, owner);
  return owner;
}

/**
 * Runs `fn` in the tenant transaction of the link's owner when the link is usable now. The token
 * names its tenant only through its hash (system lookup on the unique index); everything else
 * happens under the tenant's row-level security. Unknown, expired, not-yet-active and revoked
 * links, and links of an organization pending deletion, all fail with the same error. A player
 * sends a request per seek, so the checks are one query (recipient, share and organization).
 */
export async function withRecipient<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  fn: (tx: Tx, ctx: RecipientContext, now: Date) => Promise<T>,
): Promise<T> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) {
    throw new ShareUnavailableError();
  }
  const hash = tokenHash(token);
  const found = await linkOwner(deps, hash.toString('hex'), hash);
  if (!found) throw new ShareUnavailableError();
  return withTenant(deps.db, found.tenantId, async (tx) => {
    const now = deps.clock.now();
    const row = (
      await tx.raw(
        `SELECT row_to_json(r) AS recipient, row_to_json(s) AS share
         FROM share_recipients r
         JOIN shares s ON s.id = r.share_id
         JOIN organizations o ON o.id = r.tenant_id AND o.delete_after IS NULL
         WHERE r.id = ? AND r.token_hash = ? AND r.revoked_at IS NULL`,
        [found.id, hash],
      )
    ).rows[0];
    if (!row || shareStatus(row.share, now) !== 'active') throw new ShareUnavailableError();
    return fn(tx, { tenantId: found.tenantId, recipient: row.recipient, share: row.share }, now);
  });
}

export async function requireGrant(
  tx: Tx,
  ctx: RecipientContext,
  grant: unknown,
  now: Date,
): Promise<void> {
  if (!ctx.share.password_hash) return;
  if (typeof grant !== 'string' || grant.length > 200) throw new PasswordRequiredError();
  const row = await tx('share_grants')
    .where({ token_hash: tokenHash(grant), recipient_id: ctx.recipient.id })
    .where('expires_at', '>', now)
    .first('id');
  if (!row) throw new PasswordRequiredError();
}

function userAgent(client: RecipientClient): string | null {
  return typeof client.userAgent === 'string' ? client.userAgent.slice(0, 512) : null;
}

async function logAccess(
  tx: Tx,
  ctx: RecipientContext,
  now: Date,
  client: RecipientClient,
  event: {
    kind: string;
    trackId?: string | null;
    positionSeconds?: number | null;
    ranges?: Range[] | null;
  },
): Promise<void> {
  await tx('access_events').insert({
    id: randomUUID(),
    tenant_id: ctx.tenantId,
    share_id: ctx.share.id,
    recipient_id: ctx.recipient.id,
    track_id: event.trackId ?? null,
    kind: event.kind,
    position_seconds: event.positionSeconds ?? null,
    ranges: event.ranges ? JSON.stringify(event.ranges) : null,
    ip_hash: client.ipHash ?? null,
    user_agent: userAgent(client),
    at: now,
  });
  await appendAudit(tx, now, {
    tenantId: ctx.tenantId,
    action: `share.${event.kind}`,
    objectType: 'share_recipient',
    objectId: ctx.recipient.id,
    ipHash: client.ipHash ?? null,
    detail: { shareId: ctx.share.id, ...(event.trackId ? { trackId: event.trackId } : {}) },
  });
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toTrackInfo(t: any): RecipientTrackInfo {
  return {
    id: t.id,
    title: t.title,
    artist: t.artist,
    durationSeconds: t.duration_seconds == null ? null : Number(t.duration_seconds),
    bpm: t.bpm == null ? null : Number(t.bpm),
    key: t.musical_key,
    hasArtwork: t.artwork_object_id != null,
  };
}

const left = (max: unknown, used: unknown) =>
  max == null ? null : Math.max(0, Number(max) - Number(used));

/**
 * Opens a share link: the recipient's view (title, note, expiry, their name, the tracks and
 * whether downloads are allowed), logged as `opened`. A password-protected share needs the
 * grant from {@link unlockShare}, else `password_required`.
 */
export async function openShare(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  client: RecipientClient = {},
): Promise<RecipientView> {
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    const tracks = await tx('share_tracks')
      .join('tracks', 'tracks.id', 'share_tracks.track_id')
      .where({ share_id: ctx.share.id })
      .orderBy('tracks.title')
      .select('tracks.*');
    await logAccess(tx, ctx, now, client, { kind: 'opened' });
    // The owner hears of the first open only; later opens cost nothing more.
    if (!ctx.recipient.first_opened_at) {
      const first = await tx('share_recipients')
        .where({ id: ctx.recipient.id })
        .whereNull('first_opened_at')
        .update({ first_opened_at: now }, ['id']);
      if (first.length > 0) await notifyShareEvent(tx, deps, ctx, { kind: 'share.opened' });
    }
    const organization = await tx('organizations')
      .where({ id: ctx.tenantId })
      .first('name', 'brand_color', 'logo_object_id');
    const { share, recipient } = ctx;
    return {
      shareId: share.id,
      title: share.title,
      note: share.note,
      expiresAt: new Date(share.expires_at),
      allowDownload: Boolean(share.allow_download),
      allowFeedback: Boolean(share.allow_feedback),
      previewKbps: previewBitrate(share.preview_kbps ?? undefined),
      sender: {
        organizationName: (organization?.name as string | undefined) ?? '',
        brandColor: organization?.brand_color ?? null,
        hasLogo: Boolean(organization?.logo_object_id),
      },
      recipient: { id: recipient.id, name: recipient.name },
      tracks: tracks.map(toTrackInfo),
      playsLeft: left(share.max_plays, recipient.plays),
      downloadsLeft: share.allow_download ? left(share.max_downloads, recipient.downloads) : 0,
    };
  });
}

/**
 * Unlocks a password-protected share: returns an access grant (256-bit token stored as SHA-256,
 * {@link SHARE_GRANT_TTL_MS}, bound to this recipient) for the server to keep in a cookie.
 * Attempts are throttled per (link, hashed IP) and, more loosely, per link (`rate_limited` with
 * `retryAfterSeconds`); a wrong password is `invalid_credentials` and logged `password_failed`.
 */
export async function unlockShare(
  deps: Pick<VaultDeps, 'db' | 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  password: string,
  client: RecipientClient = {},
): Promise<{ grant: string; expiresAt: Date }> {
  if (typeof password !== 'string' || password.length === 0 || password.length > 4096) {
    throw new ValidationError('password required', 'password');
  }
  const ipHash = client.ipHash ?? null;
  const attempt = await withRecipient(deps, token, async (tx, ctx, now) => {
    if (!ctx.share.password_hash)
      throw new ValidationError('this share has no password', 'password');
    const wait = await reserveUnlockAttempt(tx, now, {
      tenantId: ctx.tenantId,
      recipientId: ctx.recipient.id,
      ipHash,
    });
    return { wait, hash: ctx.share.password_hash as string };
  });
  if (attempt.wait !== null) throw new RateLimitedError(attempt.wait);
  // The slow hash runs outside any transaction (PGlite has one connection).
  const ok = await verifyPassword(attempt.hash, password);
  const grant = newGrantToken();
  const result = await withRecipient(deps, token, async (tx, ctx, now) => {
    if (!ok) {
      await logAccess(tx, ctx, now, client, { kind: 'password_failed' });
      // The link-wide counter holds the failures in a row (a right password clears it).
      const link = await tx('share_unlock_throttle')
        .where({ recipient_id: ctx.recipient.id, ip_hash: '*' })
        .first('failures');
      if (Number(link?.failures) === PASSWORD_FAILURES_NOTIFIED) {
        await notifyShareEvent(tx, deps, ctx, {
          kind: 'share.password_failed',
          failures: PASSWORD_FAILURES_NOTIFIED,
        });
      }
      return null;
    }
    await clearUnlockAttempts(tx, ctx.recipient.id, ipHash);
    const expiresAt = new Date(now.getTime() + SHARE_GRANT_TTL_MS);
    await tx('share_grants')
      .where({ recipient_id: ctx.recipient.id })
      .where('expires_at', '<=', now)
      .del();
    await tx('share_grants').insert({
      id: randomUUID(),
      tenant_id: ctx.tenantId,
      recipient_id: ctx.recipient.id,
      token_hash: tokenHash(grant),
      created_at: now,
      expires_at: expiresAt,
    });
    await appendAudit(tx, now, {
      tenantId: ctx.tenantId,
      action: 'share.unlock',
      objectType: 'share_recipient',
      objectId: ctx.recipient.id,
      ipHash,
      detail: { shareId: ctx.share.id },
    });
    return { grant, expiresAt };
  });
  if (!result) throw new InvalidCredentialsError('wrong password');
  return result;
}

async function sharedTrack(tx: Tx, ctx: RecipientContext, trackId: unknown) {
  const t = isUuid(trackId)
    ? await tx('share_tracks')
        .join('tracks', 'tracks.id', 'share_tracks.track_id')
        .where({ share_id: ctx.share.id, 'tracks.id': trackId })
        .first('tracks.*')
    : undefined;
  if (!t) throw new NotFoundError('track');
  return t;
}

/**
 * Authorizes one recipient's access to one shared track and returns the decrypted master with
 * the watermark key and payload recorded in the recipient's forensic mapping (internal: see
 * {@link openRecipientTrack} for what leaves the vault). Checks the
 * link, the grant, that the track is in the share, and for `download` that downloads are
 * allowed and one is left (counted with a conditional update, so concurrent requests never
 * exceed the limit); a `stream` is refused once the plays are used up (plays are counted by
 * {@link recordPlay}). Every read is audited; downloads are logged as `downloaded`.
 */
export async function authorizeRecipientTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'> & Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  trackId: string,
  options: RecipientClient & { kind: 'stream' | 'download'; play?: PlayRequest },
): Promise<RecipientTrackAccess> {
  const kind = options?.kind;
  if (kind !== 'stream' && kind !== 'download') {
    throw new ValidationError('kind must be stream or download', 'kind');
  }
  const found = await withRecipient(deps, token, async (tx, ctx, now) => {
    let playCounted = false;
    await requireGrant(tx, ctx, options.grant, now);
    // The track in the share, the recipient's mapping and its key, and the current version's
    // object, in one query: a seek is a request of its own.
    const row = isUuid(trackId)
      ? (
          await tx.raw(
            `SELECT row_to_json(t) AS track, m.key_id, m.payload, row_to_json(k) AS key_row,
                    k.secret_wrapped, o.id AS object_id, o.tenant_id AS object_tenant_id,
                    o.storage_key, o.kek_id AS object_kek_id, o.wrapped_key
             FROM share_tracks st
             JOIN tracks t ON t.id = st.track_id
             LEFT JOIN forensic_marks m ON m.track_id = t.id AND m.recipient_id = ?
             LEFT JOIN watermark_keys k ON k.id::text = m.key_id
             LEFT JOIN track_versions v ON v.track_id = t.id AND v.version = t.current_version
             LEFT JOIN objects o ON o.id = v.object_id
             WHERE st.share_id = ? AND t.id = ?`,
            [ctx.recipient.id, ctx.share.id, trackId],
          )
        ).rows[0]
      : undefined;
    if (!row) throw new NotFoundError('track');
    const track = row.track;
    const key =
      row.key_row &&
      (await watermarkKeyFromRow(deps, { ...row.key_row, secret_wrapped: row.secret_wrapped }));
    // Without its mapping a copy could not be traced: never serve it.
    const mark = row.payload
      ? { key_id: row.key_id as string, payload: row.payload as string }
      : null;
    if (!mark || !key) throw new NotFoundError('track');
    const object = row.object_id
      ? {
          id: row.object_id,
          tenant_id: row.object_tenant_id,
          storage_key: row.storage_key,
          kek_id: row.object_kek_id,
          wrapped_key: row.wrapped_key,
        }
      : null;
    // An erased master (crypto-erasure) cannot be served: refuse before counting anything.
    if (!object?.wrapped_key) throw new NotFoundError('track');
    if (kind === 'download') {
      if (!ctx.share.allow_download) throw new ForbiddenError('this share is stream only');
      const counted = await tx.raw(
        `UPDATE share_recipients r SET downloads = r.downloads + 1 FROM shares s
         WHERE r.id = ? AND s.id = r.share_id AND (s.max_downloads IS NULL OR r.downloads < s.max_downloads)
         RETURNING r.downloads`,
        [ctx.recipient.id],
      );
      if (counted.rows.length === 0) throw new LimitReachedError('downloads');
      await logAccess(tx, ctx, now, options, { kind: 'downloaded', trackId: track.id });
      await notifyShareEvent(tx, deps, ctx, {
        kind: 'share.downloaded',
        track: { id: track.id, title: track.title },
      });
    } else if (
      options.play === 'start' ||
      (options.play === 'continue' && Number(ctx.recipient.plays) === 0)
    ) {
      playCounted = true;
      // A play is counted by the server when it serves the start of the audio, whatever the
      // player reports; seeks within a started play are not counted again.
      const counted = await tx.raw(
        `UPDATE share_recipients r SET plays = r.plays + 1 FROM shares s
         WHERE r.id = ? AND s.id = r.share_id AND (s.max_plays IS NULL OR r.plays < s.max_plays)
         RETURNING r.plays`,
        [ctx.recipient.id],
      );
      if (counted.rows.length === 0) throw new LimitReachedError('plays');
      if (Number(counted.rows[0].plays) === 1) {
        await notifyShareEvent(tx, deps, ctx, {
          kind: 'share.played',
          track: { id: track.id, title: track.title },
        });
      }
    } else if (
      options.play === undefined &&
      ctx.share.max_plays != null &&
      Number(ctx.recipient.plays) >= Number(ctx.share.max_plays)
    ) {
      throw new LimitReachedError('plays');
    }
    // A play and a download are audited as reads of the master; the seeks within a play are not
    // (each is authorized like the play; the player sends one per seek).
    if (kind === 'download' || playCounted || options.play !== 'continue') {
      await appendAudit(tx, now, {
        tenantId: ctx.tenantId,
        action: 'object.read',
        objectType: 'object',
        objectId: object.id,
        ipHash: options.ipHash ?? null,
        detail: { via: 'share', kind, recipientId: ctx.recipient.id, keyId: mark.key_id },
      });
    }
    return {
      tenantId: ctx.tenantId,
      object,
      key: key as WatermarkKey,
      keyId: mark.key_id as string,
      payload: mark.payload as string,
      track: toTrackInfo(track),
      originalFileName: (track.original_file_name as string | null) ?? null,
      recipient: { id: ctx.recipient.id as string, name: ctx.recipient.name as string },
      previewKbps: previewBitrate(ctx.share.preview_kbps ?? undefined),
    };
  });
  const object = found.object;
  return {
    tenantId: found.tenantId,
    master: { objectId: object.id, open: () => decryptObjectRow(deps, object) },
    key: found.key,
    keyId: found.keyId,
    payload: found.payload,
    track: found.track,
    originalFileName: found.originalFileName,
    downloadFileName: audioFileName(found.track.title),
    recipient: found.recipient,
    previewKbps: found.previewKbps,
  };
}

/**
 * A recipient's own copy of one shared track, marked inside the vault with the payload their
 * mapping records: for `stream`, a lossy preview at the share's preview quality (never the
 * lossless file, whatever the share allows); for `download`, the lossless WAV, only when the
 * share allows downloads and one is left (counted). Authorization, counting and auditing are
 * {@link authorizeRecipientTrack}'s.
 */
export async function openRecipientTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'> &
    Partial<Pick<VaultDeps, 'mailer'>>,
  token: string,
  trackId: string,
  options: RecipientClient & { kind: 'stream' | 'download'; play?: PlayRequest },
): Promise<RecipientTrack> {
  const access = await authorizeRecipientTrack(deps, token, trackId, options);
  const mark = { keyId: access.keyId, key: access.key, payload: access.payload };
  return {
    media:
      options.kind === 'stream'
        ? bufferMedia(
            await markedPreview(deps, {
              tenantId: access.tenantId,
              master: access.master,
              mark,
              kbps: access.previewKbps,
            }),
            'audio/mpeg',
          )
        : await mediaOf(deps).wav(access.master, mark),
    kind: options.kind,
    track: access.track,
    downloadFileName: access.downloadFileName,
    recipient: access.recipient,
    keyId: access.keyId,
    payload: access.payload,
    organizationId: access.tenantId,
  };
}

/**
 * Waveform peaks of a shared track for the recipient's player (checked like a stream): the ones
 * the analysis stored for the current version, else computed from the master.
 */
export async function recipientTrackPeaks(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  token: string,
  trackId: string,
  client: RecipientClient = {},
): Promise<Record<string, unknown>> {
  const access = await authorizeRecipientTrack(deps, token, trackId, {
    ...client,
    kind: 'stream',
  });
  const stored = await withTenant(deps.db, access.tenantId, (tx) =>
    tx('track_analyses')
      .join('tracks', 'tracks.id', 'track_analyses.track_id')
      .where({ 'tracks.id': access.track.id })
      .whereRaw('track_analyses.version = tracks.current_version')
      .first('track_analyses.peaks'),
  );
  return (
    (stored?.peaks as Record<string, unknown> | undefined) ?? mediaOf(deps).peaks(access.master)
  );
}

/**
 * Logs a listening session of a shared track from the player: the seconds heard
 * (`positionSeconds`) and, when the player sends them, the stretches played (`ranges`, `[from,
 * to]` seconds; stored merged), from which analytics add up what was heard across sessions.
 * Plays are counted by the server when it serves the start of the audio
 * ({@link openRecipientTrack} with `play: 'start'`), not by this report, so a player that never
 * reports cannot play past the limit.
 */
export async function recordPlay(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  trackId: string,
  positionSeconds: number,
  client: RecipientClient = {},
  ranges?: unknown,
): Promise<{ playsLeft: number | null }> {
  if (
    typeof positionSeconds !== 'number' ||
    !Number.isFinite(positionSeconds) ||
    positionSeconds < 0 ||
    positionSeconds > 86_400
  ) {
    throw new ValidationError('positionSeconds must be 0 to 86400', 'positionSeconds');
  }
  const played = ranges === undefined ? null : checkRanges(ranges);
  return withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    const track = await sharedTrack(tx, ctx, trackId);
    await logAccess(tx, ctx, now, client, {
      kind: 'played',
      trackId: track.id,
      positionSeconds,
      ranges: played,
    });
    return { playsLeft: left(ctx.share.max_plays, ctx.recipient.plays) };
  });
}
