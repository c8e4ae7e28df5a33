import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import {
  checkImage,
  readImageObject,
  replaceImageObject,
  type StoredImage,
} from '../objects/image-object.js';
import { eraseObjectKey } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import { type RecipientClient, requireGrant, withRecipient } from '../shares/recipient-access.js';

/** Largest artwork accepted: 5 MiB. */
export const ARTWORK_MAX_BYTES = 5 * 1024 * 1024;

/** An artwork image ready to send. */
export type Artwork = StoredImage;

async function lockedTrack(tx: Tx, trackId: string) {
  const track = isUuid(trackId)
    ? await tx('tracks')
        .where({ id: trackId })
        .forUpdate()
        .first('id', 'created_by', 'artwork_object_id')
    : undefined;
  if (!track) throw new NotFoundError('track');
  return track;
}

/**
 * Sets a track's artwork (whoever may edit the track): a PNG, JPEG or WebP image of at most
 * {@link ARTWORK_MAX_BYTES}, checked by its signature, stored encrypted as an object like the
 * audio. The previous artwork is crypto-erased. Audited as `track.artwork`.
 */
export async function setTrackArtwork(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  trackId: string,
  image: Buffer,
): Promise<{ contentType: Artwork['contentType']; sizeBytes: number }> {
  authorize(actor, 'track', 'read');
  // Another organization's track (or none) is not found, whatever the body holds.
  const known = isUuid(trackId)
    ? await withTenant(deps.db, actor.tenantId, (tx) =>
        tx('tracks').where({ id: trackId }).first('id'),
      )
    : undefined;
  if (!known) throw new NotFoundError('track');
  const contentType = checkImage(
    image,
    { maxBytes: ARTWORK_MAX_BYTES, label: '5 MB' },
    'artwork',
    'artwork',
  );
  await replaceImageObject(deps, actor, 'artwork', image, async (tx, now, objectId) => {
    const track = await lockedTrack(tx, trackId);
    authorize(actor, 'track', 'update', { tenantId: actor.tenantId, createdBy: track.created_by });
    await tx('tracks')
      .where({ id: track.id })
      .update({ artwork_object_id: objectId, updated_at: now });
    await appendActorAudit(tx, now, actor, {
      action: 'track.artwork',
      objectType: 'track',
      objectId: track.id,
      detail: { objectId, contentType },
    });
    return track.artwork_object_id ?? null;
  });
  return { contentType, sizeBytes: image.length };
}

/** Removes a track's artwork (crypto-erased); audited as `track.artwork` with no object. */
export async function removeTrackArtwork(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  actor: Actor,
  trackId: string,
): Promise<void> {
  authorize(actor, 'track', 'read');
  const erased = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    const track = await lockedTrack(tx, trackId);
    authorize(actor, 'track', 'update', { tenantId: actor.tenantId, createdBy: track.created_by });
    if (!track.artwork_object_id) return null;
    await tx('tracks').where({ id: track.id }).update({ artwork_object_id: null, updated_at: now });
    const key = await eraseObjectKey(tx, track.artwork_object_id, now);
    await appendActorAudit(tx, now, actor, {
      action: 'track.artwork',
      objectType: 'track',
      objectId: track.id,
      detail: { objectId: null },
    });
    return key;
  });
  if (erased) await deps.storage.delete(erased).catch(() => undefined);
}

const ARTWORK_ROW = (tx: Tx, trackId: string) =>
  tx('tracks')
    .join('objects', 'objects.id', 'tracks.artwork_object_id')
    .where({ 'tracks.id': trackId })
    .first('objects.*');

/** A track's artwork for the organization's members (`not_found` when it has none). */
export async function getTrackArtwork(
  deps: Pick<VaultDeps, 'db' | 'storage' | 'keys'>,
  actor: Actor,
  trackId: string,
): Promise<Artwork> {
  authorize(actor, 'track', 'read');
  if (!isUuid(trackId)) throw new NotFoundError('track');
  const row = await withTenant(deps.db, actor.tenantId, (tx) => ARTWORK_ROW(tx, trackId));
  return readImageObject(deps, row, 'artwork');
}

/**
 * A shared track's artwork for the recipient whose link this is (checked like the page: a live
 * link, the grant of a password-protected share, the track in the share).
 */
export async function recipientTrackArtwork(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  token: string,
  trackId: string,
  client: Pick<RecipientClient, 'grant'> = {},
): Promise<Artwork> {
  if (!isUuid(trackId)) throw new NotFoundError('track');
  const row = await withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    const shared = await tx('share_tracks')
      .where({ share_id: ctx.share.id, track_id: trackId })
      .first('track_id');
    if (!shared) throw new NotFoundError('track');
    return ARTWORK_ROW(tx, trackId);
  });
  return readImageObject(deps, row, 'artwork');
}
