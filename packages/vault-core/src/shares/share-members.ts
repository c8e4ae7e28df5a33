import { randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { enqueueJob } from '../jobs/job-queue.js';
import type { Actor } from '../policies.js';
import {
  cleanRecipients,
  linkBase,
  MAX_SHARE_RECIPIENTS,
  MAX_SHARE_TRACKS,
  type RecipientInput,
} from './share-input.js';
import { insertRecipients, mapCopies } from './share-recipients.js';
import {
  linkMail,
  resolveTracks,
  type ShareLink,
  sendQuietly,
  shareForChange,
  shareStatus,
} from './shares.js';

type Deps = Pick<VaultDeps, 'db' | 'clock' | 'keys' | 'mailer' | 'auditSigner'>;

// biome-ignore lint/suspicious/noExplicitAny: database row
function assertChangeable(share: any, now: Date): void {
  const status = shareStatus(share, now);
  if (status === 'revoked' || status === 'expired') {
    throw new ValidationError('the share is no longer active', 'shareId');
  }
}

/** Queues the rendering of the share's missing marked previews (stored ones are kept). */
function queuePreviews(tx: Tx, now: Date, tenantId: string, shareId: string) {
  return enqueueJob(tx, now, {
    tenantId,
    queue: 'previews',
    idempotencyKey: `${shareId}:${randomUUID()}`,
    payload: { shareId },
  });
}

/**
 * Adds recipients to an existing share (its creator or an admin; not once revoked or expired):
 * each gets a link of their own and a forensic mapping per track, exactly as at creation, and
 * their marked previews are queued for rendering. With `linkBase` each is mailed their link.
 * Audited as `share.recipients_add`. Returns the new links (tokens shown only now).
 */
export async function addShareRecipients(
  deps: Deps,
  actor: Actor,
  shareId: string,
  input: { recipients: RecipientInput[]; linkBase?: string | null },
): Promise<{ links: ShareLink[] }> {
  const list = input?.recipients;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SHARE_RECIPIENTS) {
    throw new ValidationError(`name 1 to ${MAX_SHARE_RECIPIENTS} recipients`, 'recipients');
  }
  const recipients = cleanRecipients(list);
  const base = input.linkBase ? linkBase(input.linkBase) : null;
  const result = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const share = await shareForChange(tx, actor, shareId, 'update');
    assertChangeable(share, now);
    const existing: string[] = await tx('share_recipients')
      .where({ share_id: share.id })
      .whereNull('revoked_at')
      .pluck('email');
    const taken = recipients.find((r) => existing.includes(r.email));
    if (taken) throw new ValidationError(`${taken.email} already has a link`, 'recipients');
    if (existing.length + recipients.length > MAX_SHARE_RECIPIENTS) {
      throw new ValidationError(
        `a share has at most ${MAX_SHARE_RECIPIENTS} recipients`,
        'recipients',
      );
    }
    const trackIds: string[] = await tx('share_tracks')
      .where({ share_id: share.id })
      .pluck('track_id');
    const links = await insertRecipients(
      deps,
      tx,
      now,
      { tenantId: actor.tenantId, shareId: share.id },
      recipients,
    );
    const keyId = await mapCopies(
      deps,
      tx,
      actor,
      now,
      share.id,
      links.map((l) => l.recipientId),
      trackIds,
    );
    await appendActorAudit(tx, now, actor, {
      action: 'share.recipients_add',
      objectType: 'share',
      objectId: share.id,
      detail: { recipientIds: links.map((l) => l.recipientId), keyId },
    });
    await queuePreviews(tx, now, actor.tenantId, share.id);
    return {
      links,
      share: { title: share.title, note: share.note, expiresAt: new Date(share.expires_at) },
    };
  });
  if (base) {
    for (const link of result.links) {
      link.mailed = await sendQuietly(deps, linkMail(link, base + link.token, result.share));
    }
  }
  return { links: result.links };
}

/**
 * Adds tracks to an existing share (its creator or an admin; not once revoked or expired): every
 * recipient whose link still works gets a forensic mapping for each new track, and their marked
 * previews are queued. Tracks already in the share are skipped. Audited as `share.tracks_add`.
 */
export async function addShareTracks(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
  shareId: string,
  input: { trackIds: string[] },
): Promise<{ added: string[] }> {
  const ids = input?.trackIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_SHARE_TRACKS) {
    throw new ValidationError(`name 1 to ${MAX_SHARE_TRACKS} tracks`, 'trackIds');
  }
  if (!ids.every(isUuid)) throw new ValidationError('unknown track', 'trackIds');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const share = await shareForChange(tx, actor, shareId, 'update');
    assertChangeable(share, now);
    const present: string[] = await tx('share_tracks')
      .where({ share_id: share.id })
      .pluck('track_id');
    const wanted = (await resolveTracks(tx, [...new Set(ids)], null)).filter(
      (id) => !present.includes(id),
    );
    if (present.length + wanted.length > MAX_SHARE_TRACKS) {
      throw new ValidationError(`a share carries at most ${MAX_SHARE_TRACKS} tracks`, 'trackIds');
    }
    if (wanted.length === 0) return { added: [] };
    await tx('share_tracks').insert(
      wanted.map((trackId) => ({
        tenant_id: actor.tenantId,
        share_id: share.id,
        track_id: trackId,
      })),
    );
    const recipientIds: string[] = await tx('share_recipients')
      .where({ share_id: share.id })
      .whereNull('revoked_at')
      .pluck('id');
    const keyId = await mapCopies(deps, tx, actor, now, share.id, recipientIds, wanted);
    await appendActorAudit(tx, now, actor, {
      action: 'share.tracks_add',
      objectType: 'share',
      objectId: share.id,
      detail: { trackIds: wanted, keyId },
    });
    await queuePreviews(tx, now, actor.tenantId, share.id);
    return { added: wanted };
  });
}

/**
 * Takes a track out of a share (its creator or an admin): recipients no longer see or play it at
 * once. The forensic mappings stay (copies already played can still be traced). A share keeps at
 * least one track. Audited as `share.track_remove`.
 */
export async function removeShareTrack(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  shareId: string,
  trackId: string,
): Promise<void> {
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const share = await shareForChange(tx, actor, shareId, 'update');
    const present: string[] = await tx('share_tracks')
      .where({ share_id: share.id })
      .pluck('track_id');
    if (!isUuid(trackId) || !present.includes(trackId)) throw new NotFoundError('track');
    if (present.length === 1) {
      throw new ValidationError('a share keeps at least one track; revoke it instead', 'trackId');
    }
    await tx('share_tracks').where({ share_id: share.id, track_id: trackId }).del();
    await appendActorAudit(tx, now, actor, {
      action: 'share.track_remove',
      objectType: 'share',
      objectId: share.id,
      detail: { trackId },
    });
  });
}
