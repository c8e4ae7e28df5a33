import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { enqueueJob } from '../jobs/job-queue.js';
import {
  discardSealed,
  eraseObjectKey,
  readObject,
  recordObject,
  type StoredObject,
  sealObject,
} from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import {
  cleanFileName,
  type TrackPatch,
  titleFromFileName,
  trackPatchColumns,
} from './track-input.js';
import { checkedAudio } from './wav-completeness.js';

/** Analysis state of a track. */
export type AnalysisStatus = 'pending' | 'running' | 'done' | 'failed';

/** A track as returned to callers. */
export interface Track {
  id: string;
  title: string;
  artist: string | null;
  durationSeconds: number | null;
  bpm: number | null;
  key: string | null;
  tags: string[];
  folderId: string | null;
  originalFileName: string | null;
  contentSha256: string | null;
  analysisStatus: AnalysisStatus;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Free notes for the organization's members. */
  notes: string | null;
  /** Whether the track has artwork (read it with `catalog.artwork`). */
  hasArtwork: boolean;
}

/** A stored version of a track's audio. */
export interface TrackVersion {
  version: number;
  objectId: string | null;
  originalFileName: string | null;
  contentSha256: string | null;
  sizeBytes: number | null;
  createdAt: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toTrack(r: any): Track {
  return {
    id: r.id,
    title: r.title,
    artist: r.artist,
    durationSeconds: r.duration_seconds == null ? null : Number(r.duration_seconds),
    bpm: r.bpm == null ? null : Number(r.bpm),
    key: r.musical_key,
    tags: r.tags ?? [],
    folderId: r.folder_id,
    originalFileName: r.original_file_name,
    contentSha256: r.content_sha256,
    analysisStatus: r.analysis_status,
    version: Number(r.current_version),
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    notes: r.notes ?? null,
    hasArtwork: r.artwork_object_id != null,
  };
}

async function findTrack(tx: Tx, id: string) {
  if (!isUuid(id)) return undefined;
  return tx('tracks').where({ id }).first();
}

async function assertFolder(tx: Tx, folderId: unknown): Promise<void> {
  if (folderId == null) return;
  if (!isUuid(folderId) || !(await tx('folders').where({ id: folderId }).first('id'))) {
    throw new ValidationError('unknown folder', 'folderId');
  }
}

async function addVersion(
  tx: Tx,
  at: Date,
  actor: Actor,
  trackId: string,
  version: number,
  object: StoredObject,
  originalFileName: string | null,
): Promise<void> {
  await tx('track_versions').insert({
    id: randomUUID(),
    tenant_id: actor.tenantId,
    track_id: trackId,
    version,
    object_id: object.id,
    original_file_name: originalFileName,
    content_sha256: object.sha256,
    size_bytes: object.sizeBytes,
    created_by: actor.userId,
    created_at: at,
  });
  // Analysis is keyed by the content, so re-running it for the same version is a no-op.
  await enqueueJob(tx, at, {
    tenantId: actor.tenantId,
    queue: 'analysis',
    idempotencyKey: `${trackId}:${version}`,
    payload: { trackId, version, objectId: object.id },
  });
}

/**
 * Uploads audio as a new track: encrypts and stores it, records track, version 1, object and
 * audit event in one transaction, and enqueues its analysis job.
 */
export async function uploadTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  input: { body: Readable; originalFileName?: string | null } & TrackPatch,
): Promise<Track> {
  authorize(actor, 'track', 'create');
  const { body, originalFileName, ...patch } = input;
  const fileName = cleanFileName(originalFileName);
  const columns = trackPatchColumns({
    title: patch.title ?? titleFromFileName(fileName),
    ...patch,
  });
  // A WAV cut short is refused here, before it becomes a track nobody can play.
  const sealed = await sealObject(deps, actor.tenantId, checkedAudio(body));
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      await assertFolder(tx, columns.folder_id);
      const now = deps.clock.now();
      const id = randomUUID();
      const object = await recordObject(tx, now, actor, 'master', sealed);
      const [row] = await tx('tracks')
        .insert({
          ...columns,
          id,
          tenant_id: actor.tenantId,
          original_file_name: fileName,
          content_sha256: object.sha256,
          current_version: 1,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        })
        .returning('*');
      await addVersion(tx, now, actor, id, 1, object, fileName);
      await appendActorAudit(tx, now, actor, {
        action: 'track.create',
        objectType: 'track',
        objectId: id,
      });
      return toTrack(row);
    });
  } catch (e) {
    await discardSealed(deps, sealed);
    throw e;
  }
}

/** Uploads a new version of a track's audio; it becomes the current one and is analysed. */
export async function addTrackVersion(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  trackId: string,
  input: { body: Readable; originalFileName?: string | null },
): Promise<Track> {
  const existing = await getTrack(deps, actor, trackId);
  authorize(actor, 'track', 'update', { tenantId: actor.tenantId, createdBy: existing.createdBy });
  const fileName = cleanFileName(input.originalFileName);
  const sealed = await sealObject(deps, actor.tenantId, checkedAudio(input.body));
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const now = deps.clock.now();
      const track = await tx('tracks').where({ id: trackId }).forUpdate().first();
      if (!track) throw new NotFoundError('track');
      const version = Number(track.current_version) + 1;
      const object = await recordObject(tx, now, actor, 'master', sealed);
      await addVersion(tx, now, actor, trackId, version, object, fileName);
      const [row] = await tx('tracks')
        .where({ id: trackId })
        .update({
          current_version: version,
          content_sha256: object.sha256,
          original_file_name: fileName ?? track.original_file_name,
          analysis_status: 'pending',
          updated_at: now,
        })
        .returning('*');
      await appendActorAudit(tx, now, actor, {
        action: 'track.version',
        objectType: 'track',
        objectId: trackId,
        detail: { version },
      });
      return toTrack(row);
    });
  } catch (e) {
    await discardSealed(deps, sealed);
    throw e;
  }
}

/** One track of the actor's tenant; another tenant's id is "not found". */
export async function getTrack(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
): Promise<Track> {
  authorize(actor, 'track', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) => findTrack(tx, trackId));
  if (!row) throw new NotFoundError('track');
  return toTrack(row);
}

/**
 * Why the analysis of a track's current version failed, in words for its owner (the decoder's
 * message, e.g. a truncated or unreadable file); `null` unless it failed.
 */
export async function analysisFailure(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
): Promise<string | null> {
  const track = await getTrack(deps, actor, trackId);
  if (track.analysisStatus !== 'failed') return null;
  const job = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('jobs')
      .where({ queue: 'analysis', idempotency_key: `${trackId}:${track.version}` })
      .first('result', 'error'),
  );
  const message = job?.result?.error?.message ?? job?.error;
  return typeof message === 'string' && message
    ? message.slice(0, 500)
    : 'the audio could not be read';
}

/** The stored versions of a track, newest first. */
export async function listTrackVersions(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  trackId: string,
): Promise<TrackVersion[]> {
  await getTrack(deps, actor, trackId);
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('track_versions').where({ track_id: trackId }).orderBy('version', 'desc'),
  );
  return rows.map((r) => ({
    version: Number(r.version),
    objectId: r.object_id,
    originalFileName: r.original_file_name,
    contentSha256: r.content_sha256,
    sizeBytes: r.size_bytes == null ? null : Number(r.size_bytes),
    createdAt: new Date(r.created_at),
  }));
}

/** The orders a track list can come in. */
export type TrackSort = 'newest' | 'oldest' | 'title' | 'bpm';

/** `ORDER BY` of each order; `id` last, so pages never overlap. */
const ORDERS: Record<TrackSort, { column: string; order: 'asc' | 'desc'; nulls?: 'last' }[]> = {
  newest: [{ column: 'created_at', order: 'desc' }],
  oldest: [{ column: 'created_at', order: 'asc' }],
  title: [{ column: 'title', order: 'asc' }],
  bpm: [{ column: 'bpm', order: 'asc', nulls: 'last' }],
};

/** Metadata search filter; every field optional and combined with AND. */
export interface TrackFilter {
  /**
   * Words, each a substring (case-insensitive) of the title, artist, original file name, key,
   * Camelot code or a tag.
   */
  q?: string;
  tag?: string;
  folderId?: string | null;
  key?: string;
  bpmMin?: number;
  bpmMax?: number;
  analysisStatus?: AnalysisStatus;
  /** Order: newest first (default), oldest first, by title, or by tempo (slowest first). */
  sort?: TrackSort;
  limit?: number;
  offset?: number;
}

/** The words of a search (at most 8, of at most 200 characters in all). */
function searchWords(q: unknown): string[] {
  if (typeof q !== 'string') return [];
  return q.slice(0, 200).split(/\s+/).filter(Boolean).slice(0, 8);
}

/** Searches the actor's tracks by metadata, newest first unless told. Returns a page and the total. */
export async function listTracks(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  filter: TrackFilter = {},
): Promise<{ items: Track[]; total: number }> {
  authorize(actor, 'track', 'read');
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? 50)), 200);
  const offset = Math.max(0, Math.trunc(filter.offset ?? 0));
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    // Every condition is a bound parameter; the tenant comes from RLS, never from the filter.
    const q = tx('tracks');
    // Each word of `q` must appear somewhere: title, artist, file name, key, Camelot code (kept
    // with the current version's analysis) or one of the tags.
    for (const word of searchWords(filter.q)) {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q.where((w) =>
        w
          .whereRaw("title ILIKE ? ESCAPE '\\'", [like])
          .orWhereRaw("artist ILIKE ? ESCAPE '\\'", [like])
          .orWhereRaw("original_file_name ILIKE ? ESCAPE '\\'", [like])
          .orWhereRaw("musical_key ILIKE ? ESCAPE '\\'", [like])
          .orWhereRaw("EXISTS (SELECT 1 FROM unnest(tags) AS tag WHERE tag ILIKE ? ESCAPE '\\')", [
            like,
          ])
          .orWhereRaw(
            `EXISTS (SELECT 1 FROM track_analyses a WHERE a.track_id = tracks.id AND a.tenant_id = tracks.tenant_id
              AND a.version = tracks.current_version AND a.details->>'camelot' ILIKE ? ESCAPE '\\')`,
            [like],
          ),
      );
    }
    if (filter.tag) q.whereRaw('tags @> ARRAY[?]::text[]', [String(filter.tag).toLowerCase()]);
    if (filter.folderId !== undefined) {
      if (filter.folderId === null) q.whereNull('folder_id');
      else if (isUuid(filter.folderId)) q.where({ folder_id: filter.folderId });
      else return { items: [], total: 0 };
    }
    if (filter.key) q.where({ musical_key: String(filter.key) });
    if (typeof filter.bpmMin === 'number') q.where('bpm', '>=', filter.bpmMin);
    if (typeof filter.bpmMax === 'number') q.where('bpm', '<=', filter.bpmMax);
    if (filter.analysisStatus) q.where({ analysis_status: String(filter.analysisStatus) });
    const [count] = await q.clone().count<{ n: string }[]>({ n: '*' });
    const rows = await q
      .orderBy([...(ORDERS[filter.sort ?? 'newest'] ?? ORDERS.newest), { column: 'id' }])
      .limit(limit)
      .offset(offset);
    return { items: rows.map(toTrack), total: Number(count?.n ?? 0) };
  });
}

/** Updates metadata; only the fields of {@link TrackPatch} are accepted. */
export async function updateTrack(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  trackId: string,
  patch: TrackPatch,
): Promise<Track> {
  const columns = trackPatchColumns(patch);
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const track = await findTrack(tx, trackId);
    if (!track) throw new NotFoundError('track');
    authorize(actor, 'track', 'update', { tenantId: track.tenant_id, createdBy: track.created_by });
    await assertFolder(tx, columns.folder_id);
    const now = deps.clock.now();
    const [row] = await tx('tracks')
      .where({ id: trackId })
      .update({ ...columns, updated_at: now })
      .returning('*');
    await appendActorAudit(tx, now, actor, {
      action: 'track.update',
      objectType: 'track',
      objectId: trackId,
      detail: { fields: Object.keys(columns).sort() },
    });
    return toTrack(row);
  });
}

/**
 * Deletes a track: every version's data key is destroyed (crypto-erasure) in the same
 * transaction as the row deletion and the audit event; the blobs are deleted after commit (the
 * purge job retries any that remain).
 */
export async function deleteTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  actor: Actor,
  trackId: string,
): Promise<void> {
  const keys = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const track = await findTrack(tx, trackId);
    if (!track) throw new NotFoundError('track');
    authorize(actor, 'track', 'delete', { tenantId: track.tenant_id, createdBy: track.created_by });
    const now = deps.clock.now();
    const versions = await tx('track_versions')
      .where({ track_id: trackId })
      .whereNotNull('object_id');
    const storageKeys: string[] = [];
    for (const v of versions) {
      const key = await eraseObjectKey(tx, v.object_id, now);
      if (key) storageKeys.push(key);
    }
    await tx('tracks').where({ id: trackId }).del();
    await appendActorAudit(tx, now, actor, {
      action: 'track.delete',
      objectType: 'track',
      objectId: trackId,
      detail: { versions: versions.length },
    });
    return storageKeys;
  });
  for (const key of keys) await deps.storage.delete(key).catch(() => undefined);
}

/**
 * Streams a track's stored file (current version unless `version` is given), decrypted and
 * unmarked: the master, for the organization's owners and admins only (audited). Everyone else
 * receives marked copies ({@link openTrackDownload}).
 */
export async function openTrackAudio(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  trackId: string,
  version?: number,
): Promise<{ track: Track; stream: Readable; sizeBytes: number }> {
  authorize(actor, 'object', 'readMaster');
  const track = await getTrack(deps, actor, trackId);
  const v = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('track_versions')
      .where({ track_id: trackId, version: version ?? track.version })
      .first('object_id'),
  );
  if (!v?.object_id) throw new NotFoundError('track version');
  const { object, stream } = await readObject(deps, actor, v.object_id);
  return { track, stream, sizeBytes: object.sizeBytes };
}

/** Analysis results a worker records for a track. */
export interface AnalysisResult {
  status: AnalysisStatus;
  durationSeconds?: number | null;
  bpm?: number | null;
  key?: string | null;
}

/** Records analysis results (worker side, no user actor); idempotent. */
export async function recordTrackAnalysis(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  tenantId: string,
  trackId: string,
  result: AnalysisResult,
): Promise<void> {
  await withTenant(deps.db, tenantId, async (tx) => {
    const now = deps.clock.now();
    const changed = await tx('tracks')
      .where({ id: trackId })
      .update({
        analysis_status: result.status,
        ...(result.durationSeconds !== undefined
          ? { duration_seconds: result.durationSeconds }
          : {}),
        ...(result.bpm !== undefined ? { bpm: result.bpm } : {}),
        ...(result.key !== undefined ? { musical_key: result.key } : {}),
        updated_at: now,
      })
      .returning('id');
    if (changed.length === 0) return;
    await appendAudit(tx, now, {
      tenantId,
      action: 'track.analysis',
      objectType: 'track',
      objectId: trackId,
      detail: { status: result.status },
    });
  });
}
