import type { Readable } from 'node:stream';
import { appendActorAudit } from '../audit/audit-log.js';
import { uploadTrack } from '../catalog/tracks.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { appendRecordingEvent, type RecordingTrack, sessionRow } from './recording-sessions.js';
import {
  openRecordingRow,
  openSessionKey,
  SessionKeyWrapper,
  sealUnderSession,
} from './session-keys.js';
import { transcribeSessionTrack } from './transcripts.js';

/** Which session and participant an upload is for. */
export interface SessionUploadTarget {
  sessionId: string;
  participantId: string;
}

/** The session (live) and the participant, or `not_found` for either (another tenant's too). */
async function target(tx: Tx, input: SessionUploadTarget) {
  const session = await sessionRow(tx, input.sessionId);
  const participant = isUuid(input.participantId)
    ? await tx('recording_participants')
        .where({ id: input.participantId, session_id: input.sessionId })
        .whereNull('removed_at')
        .first()
    : undefined;
  if (!participant) throw new NotFoundError('participant');
  return { session, participant };
}

/**
 * Records that a participant's upload started (members): the `joined` event the first time the
 * participant takes part, then `upload_started`. Called when a resumable upload is created, so an
 * upload naming another tenant's session or an unknown participant is refused before any byte.
 */
export async function startSessionUpload(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  input: SessionUploadTarget & { fileName?: string | null },
): Promise<void> {
  authorize(actor, 'recordingSession', 'update');
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await target(tx, input);
    const joined = await tx('recording_events')
      .where({ session_id: input.sessionId, participant_id: input.participantId, kind: 'joined' })
      .first('id');
    if (!joined) {
      await appendRecordingEvent(
        tx,
        actor.tenantId,
        input.sessionId,
        now,
        'joined',
        input.participantId,
      );
    }
    await appendRecordingEvent(
      tx,
      actor.tenantId,
      input.sessionId,
      now,
      'upload_started',
      input.participantId,
      {
        fileName: input.fileName ?? null,
      },
    );
  });
}

/** Records a failed upload (a chunk whose checksum did not match, a file that is not audio). */
export async function failSessionUpload(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  input: SessionUploadTarget & { reason: string },
): Promise<void> {
  authorize(actor, 'recordingSession', 'update');
  const reason = String(input.reason).slice(0, 200);
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await target(tx, input);
    await appendRecordingEvent(
      tx,
      actor.tenantId,
      input.sessionId,
      deps.clock.now(),
      'failed',
      input.participantId,
      { reason },
    );
  });
}

/**
 * Stores a participant's finished track (members). The audio is sealed under a data key wrapped
 * by the session key (so deleting the session erases it), and it also becomes a catalog track
 * through the ordinary upload use-case (versions, analysis, shares as usual), linked to the
 * session track. `open` is called once per copy. `startedAt` is when the participant started
 * recording; the session page aligns tracks by it. Writes the `completed` event and the audit
 * event; then, when the organization has transcripts on, transcribes it.
 */
export async function addSessionTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'transcriber'>,
  actor: Actor,
  input: SessionUploadTarget & {
    open: () => Readable;
    originalFileName?: string | null;
    startedAt?: Date | null;
  },
): Promise<RecordingTrack> {
  authorize(actor, 'recordingSession', 'update');
  authorize(actor, 'track', 'create');
  const startedAt = input.startedAt ?? deps.clock.now();
  if (Number.isNaN(startedAt.getTime()))
    throw new ValidationError('startedAt must be a date', 'startedAt');
  const found = await withTenant(deps.db, actor.tenantId, (tx) => target(tx, input));
  const sessionKey = await openSessionKey(deps, found.session);
  const wrapper = new SessionKeyWrapper(sessionKey, input.sessionId);
  sessionKey.fill(0);
  const sealed = await sealUnderSession(deps, wrapper, actor.tenantId, input.open());
  let trackId: string | null = null;
  try {
    const track = await uploadTrack(deps, actor, {
      body: input.open(),
      originalFileName: input.originalFileName ?? null,
      title: `${found.session.title} – ${found.participant.name}`.slice(0, 300),
    });
    trackId = track.id;
    const now = deps.clock.now();
    await withTenant(deps.db, actor.tenantId, async (tx) => {
      // The session may have been deleted meanwhile: then nothing is recorded.
      await target(tx, input);
      await tx('recording_tracks').insert({
        id: sealed.id,
        tenant_id: actor.tenantId,
        session_id: input.sessionId,
        participant_id: input.participantId,
        storage_key: sealed.storageKey,
        wrapped_key: Buffer.from(sealed.wrappedKey),
        size_bytes: sealed.sizeBytes,
        plaintext_sha256: sealed.sha256,
        original_file_name: track.originalFileName,
        started_at: startedAt,
        track_id: track.id,
        created_at: now,
      });
      await appendRecordingEvent(
        tx,
        actor.tenantId,
        input.sessionId,
        now,
        'completed',
        input.participantId,
        {
          recordingTrackId: sealed.id,
          trackId: track.id,
        },
      );
      await appendActorAudit(tx, now, actor, {
        action: 'recording.track_add',
        objectType: 'recording_session',
        objectId: input.sessionId,
        detail: { recordingTrackId: sealed.id, trackId: track.id, sizeBytes: sealed.sizeBytes },
      });
    });
  } catch (error) {
    await deps.storage.delete(sealed.storageKey);
    throw error;
  }
  const transcript = await transcribeSessionTrack(deps, actor.tenantId, input.sessionId, sealed.id);
  return {
    id: sealed.id,
    participantId: input.participantId,
    trackId,
    originalFileName: input.originalFileName ?? null,
    sizeBytes: sealed.sizeBytes,
    sha256: sealed.sha256,
    startedAt,
    offsetMs: 0,
    transcript,
  };
}

/**
 * The plaintext of a session track as stored under the session key (members); `object_erased`
 * once the session is deleted. Audited.
 */
export async function openSessionTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  sessionId: string,
  recordingTrackId: string,
): Promise<Readable> {
  authorize(actor, 'recordingSession', 'read');
  const { session, row } = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const session = await sessionRow(tx, sessionId);
    const row = isUuid(recordingTrackId)
      ? await tx('recording_tracks').where({ id: recordingTrackId, session_id: sessionId }).first()
      : undefined;
    if (!row) throw new NotFoundError('recording track');
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'recording.track_read',
      objectType: 'recording_session',
      objectId: sessionId,
      detail: { recordingTrackId },
    });
    return { session, row };
  });
  return openRecordingRow(deps, session, row);
}
