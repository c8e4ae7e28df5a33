import type { Readable } from 'node:stream';
import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { exitMark } from '../media/exit-marks.js';
import { audioFileName } from '../media/file-names.js';
import { mediaOf } from '../media/marked-media.js';
import type { MediaSource } from '../media/media-source.js';
import { decryptObjectRow } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import { getTrack, type Track } from './tracks.js';

/** What a member receives when they download a track or a stem. */
export type TrackDownload =
  | { kind: 'master'; track: Track; stream: Readable; sizeBytes: number; fileName: string }
  | { kind: 'marked'; track: Track; media: MediaSource; fileName: string };

/**
 * Who gets the stored bytes unmarked: owners and admins who ask for the master explicitly, and
 * owners by default unless the organization marks its owners' downloads too. Everyone else gets
 * a copy marked with their own member payload.
 */
function receivesMaster(
  actor: Actor,
  askedForMaster: boolean | undefined,
  markOwners: boolean,
): boolean {
  if (askedForMaster === true) return actor.role === 'owner' || actor.role === 'admin';
  return actor.role === 'owner' && !markOwners;
}

/**
 * A track's audio as the actor may receive it (current version unless `version` is given):
 * the master for owners (and admins asking for it), otherwise a lossless WAV marked inside the
 * vault with the member's payload (its mapping names them, kept 24 months). Audited either way,
 * with whether the copy was marked.
 */
export async function openTrackDownload(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  actor: Actor,
  trackId: string,
  options: { version?: number; master?: boolean } = {},
): Promise<TrackDownload> {
  const track = await getTrack(deps, actor, trackId);
  const version = options.version ?? track.version;
  return openAudioObject(deps, actor, track, {
    master: options.master,
    fileName: audioFileName(track.title, version === track.version ? '' : ` (v${version})`),
    find: (tx) =>
      tx('track_versions')
        .join('objects', 'objects.id', 'track_versions.object_id')
        .where({ 'track_versions.track_id': track.id, 'track_versions.version': version })
        .first('objects.*'),
    originalName: track.originalFileName,
  });
}

/**
 * One stem of a track as the actor may receive it (the same rule as {@link openTrackDownload}).
 * `objectId` must be a derived object (a stem) of the actor’s organization.
 */
export async function openStemDownload(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  actor: Actor,
  trackId: string,
  stem: { objectId: string; name: string },
  options: { master?: boolean } = {},
): Promise<TrackDownload> {
  const track = await getTrack(deps, actor, trackId);
  return openAudioObject(deps, actor, track, {
    master: options.master,
    fileName: audioFileName(track.title, ` (${stem.name})`),
    find: (tx) => tx('objects').where({ id: stem.objectId, kind: 'derived' }).first(),
    originalName: null,
  });
}

async function openAudioObject(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>,
  actor: Actor,
  track: Track,
  how: {
    master: boolean | undefined;
    fileName: string;
    // biome-ignore lint/suspicious/noExplicitAny: knex transaction and row
    find: (tx: any) => Promise<any>;
    originalName: string | null;
  },
): Promise<TrackDownload> {
  authorize(actor, 'track', 'read');
  // Asking for the master is for owners and admins; members are told so, not quietly served.
  if (how.master) authorize(actor, 'object', 'readMaster');
  const now = deps.clock.now();
  const found = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const org = await tx('organizations')
      .where({ id: actor.tenantId })
      .first('mark_owner_downloads');
    const master = receivesMaster(actor, how.master, Boolean(org?.mark_owner_downloads));
    const object = await how.find(tx);
    if (!object?.wrapped_key) return null;
    const mark = master
      ? null
      : await exitMark(
          deps,
          tx,
          actor.tenantId,
          { kind: 'member', userId: actor.userId, label: await memberLabel(tx, actor.userId) },
          track.id,
          now,
        );
    await appendActorAudit(tx, now, actor, {
      action: 'object.read',
      objectType: 'object',
      objectId: object.id,
      detail: { via: 'member', marked: !master, ...(mark ? { keyId: mark.keyId } : {}) },
    });
    return { object, mark };
  });
  if (!found) throw new NotFoundError('track version');
  const object = found.object;
  if (!found.mark) {
    const stream = await decryptObjectRow(deps, object);
    const sizeBytes = Number(object.size_bytes);
    return { kind: 'master', track, stream, sizeBytes, fileName: how.originalName ?? how.fileName };
  }
  const media = await mediaOf(deps).wav(
    { objectId: object.id, open: () => decryptObjectRow(deps, object) },
    found.mark,
  );
  return { kind: 'marked', track, media, fileName: how.fileName };
}

// biome-ignore lint/suspicious/noExplicitAny: knex transaction
async function memberLabel(tx: any, userId: string): Promise<string> {
  const user = await tx('users').where({ id: userId }).first('display_name', 'email');
  return user ? `member: ${user.display_name} <${user.email}>` : `member ${userId}`;
}
