import { randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { deleteTrackAndDerived } from '../derived/derived-records.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { newSessionKey, openSessionKey, openTranscript } from './session-keys.js';

/** Roles a participant has in a recording session. */
export const PARTICIPANT_ROLES = ['host', 'guest', 'engineer'] as const;
/** A participant's role. */
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** What happened in a session, with its time. */
export type RecordingEventKind = 'invited' | 'joined' | 'upload_started' | 'completed' | 'failed';

/** One person taking part in a session. */
export interface RecordingParticipant {
  id: string;
  name: string;
  email: string;
  role: ParticipantRole;
  createdAt: Date;
  /** When they were removed (their upload link revoked), or null. */
  removedAt: Date | null;
}

/** One event of a session. */
export interface RecordingEvent {
  id: string;
  kind: RecordingEventKind;
  participantId: string | null;
  at: Date;
  detail: Record<string, unknown> | null;
}

/** A participant's finished track in a session, aligned by its start time. */
export interface RecordingTrack {
  id: string;
  participantId: string;
  /** The catalog track it became (versions, analysis, shares as usual). */
  trackId: string | null;
  originalFileName: string | null;
  sizeBytes: number;
  sha256: string;
  /** When the participant started recording it. */
  startedAt: Date;
  /** Its start relative to the session's earliest track, in milliseconds (alignment). */
  offsetMs: number;
  /** The transcript, when transcripts are on and one was made. */
  transcript: string | null;
}

/** A recording session with its participants, tracks and events. */
export interface RecordingSession {
  id: string;
  title: string;
  scheduledAt: Date | null;
  createdAt: Date;
  participants: RecordingParticipant[];
  tracks: RecordingTrack[];
  events: RecordingEvent[];
}

/** A session as listed (without its parts). */
export type RecordingSessionSummary = Pick<
  RecordingSession,
  'id' | 'title' | 'scheduledAt' | 'createdAt'
>;

function cleanTitle(title: unknown): string {
  if (typeof title !== 'string' || title.trim() === '' || title.trim().length > 300) {
    throw new ValidationError('a title of 1 to 300 characters is required', 'title');
  }
  return title.trim();
}

/**
 * The live (not erased) session row, locked for update when asked, or `not_found`: another
 * tenant's session is invisible under row-level security, so it answers the same.
 */
export async function sessionRow(
  tx: Tx,
  sessionId: string,
  options: { forUpdate?: boolean } = {},
  // biome-ignore lint/suspicious/noExplicitAny: database row
): Promise<any> {
  if (!isUuid(sessionId)) throw new NotFoundError('recording session');
  const query = tx('recording_sessions').where({ id: sessionId }).whereNull('erased_at');
  const row = await (options.forUpdate ? query.forUpdate().first() : query.first());
  if (!row) throw new NotFoundError('recording session');
  return row;
}

/** Appends one session event (in the caller's transaction). */
export async function appendRecordingEvent(
  tx: Tx,
  tenantId: string,
  sessionId: string,
  at: Date,
  kind: RecordingEventKind,
  participantId: string | null,
  detail: Record<string, unknown> | null = null,
): Promise<void> {
  await tx('recording_events').insert({
    id: randomUUID(),
    tenant_id: tenantId,
    session_id: sessionId,
    participant_id: participantId,
    kind,
    at,
    detail: detail ? JSON.stringify(detail) : null,
  });
}

/**
 * Creates a recording session with its own data key, wrapped by the KEK (or KMS) under the
 * context (organization, session); audited.
 */
export async function createRecordingSession(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
  input: { title: string; scheduledAt?: Date | null },
): Promise<RecordingSessionSummary> {
  authorize(actor, 'recordingSession', 'create');
  const title = cleanTitle(input?.title);
  const scheduledAt = input.scheduledAt ?? null;
  if (scheduledAt !== null && Number.isNaN(scheduledAt.getTime())) {
    throw new ValidationError('scheduledAt must be a date', 'scheduledAt');
  }
  const id = randomUUID();
  const { key, wrapped, kekId } = await newSessionKey(deps, actor.tenantId, id);
  key.fill(0);
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('recording_sessions').insert({
      id,
      tenant_id: actor.tenantId,
      title,
      scheduled_at: scheduledAt,
      kek_id: kekId,
      wrapped_key: Buffer.from(wrapped),
      created_by: actor.userId,
      created_at: now,
    });
    await appendActorAudit(tx, now, actor, {
      action: 'recording.create',
      objectType: 'recording_session',
      objectId: id,
    });
  });
  return { id, title, scheduledAt, createdAt: now };
}

/** The organization's sessions, newest first (members). */
export async function listRecordingSessions(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<RecordingSessionSummary[]> {
  authorize(actor, 'recordingSession', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('recording_sessions').whereNull('erased_at').orderBy('created_at', 'desc').limit(200),
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    scheduledAt: r.scheduled_at ?? null,
    createdAt: r.created_at,
  }));
}

/**
 * One session with its participants, tracks (aligned: each track's offset from the earliest
 * start) and events (members). Transcripts are decrypted with the session key.
 */
export async function getRecordingSession(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
  actor: Actor,
  sessionId: string,
): Promise<RecordingSession> {
  authorize(actor, 'recordingSession', 'read');
  const { row, participants, tracks, events } = await withTenant(
    deps.db,
    actor.tenantId,
    async (tx) => ({
      row: await sessionRow(tx, sessionId),
      participants: await tx('recording_participants')
        .where({ session_id: sessionId })
        .orderBy('created_at'),
      tracks: await tx('recording_tracks').where({ session_id: sessionId }).orderBy('started_at'),
      events: await tx('recording_events').where({ session_id: sessionId }).orderBy('seq'),
    }),
  );
  const sessionKey = tracks.some((t) => t.transcript) ? await openSessionKey(deps, row) : null;
  const first = tracks.length ? new Date(tracks[0].started_at).getTime() : 0;
  try {
    return {
      id: row.id,
      title: row.title,
      scheduledAt: row.scheduled_at ?? null,
      createdAt: row.created_at,
      participants: participants.map((p) => ({
        id: p.id,
        name: p.name,
        email: p.email,
        role: p.role,
        createdAt: p.created_at,
        removedAt: p.removed_at ?? null,
      })),
      tracks: tracks.map((t) => ({
        id: t.id,
        participantId: t.participant_id,
        trackId: t.track_id ?? null,
        originalFileName: t.original_file_name ?? null,
        sizeBytes: Number(t.size_bytes),
        sha256: t.plaintext_sha256,
        startedAt: t.started_at,
        offsetMs: new Date(t.started_at).getTime() - first,
        transcript:
          sessionKey && t.transcript ? openTranscript(sessionKey, t.id, t.transcript) : null,
      })),
      events: events.map((e) => ({
        id: e.id,
        kind: e.kind,
        participantId: e.participant_id ?? null,
        at: e.at,
        detail: typeof e.detail === 'string' ? JSON.parse(e.detail) : (e.detail ?? null),
      })),
    };
  } finally {
    sessionKey?.fill(0);
  }
}

/**
 * Deletes a recording by crypto-erasure (the session's creator or an admin): in one transaction
 * the wrapped session key is destroyed (so every track key and transcript under it is
 * unrecoverable, whatever copies of rows and blobs exist), the title and schedule are cleared,
 * and participants, events and track rows are deleted; the tombstone row answers `not_found`
 * from then on. After commit the track blobs are deleted, and the catalog tracks the session's
 * tracks became are deleted too (their own keys crypto-erased as for any track). Audited.
 */
export async function deleteRecordingSession(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage'>,
  actor: Actor,
  sessionId: string,
): Promise<void> {
  authorize(actor, 'recordingSession', 'read');
  const now = deps.clock.now();
  const tracks = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await sessionRow(tx, sessionId, { forUpdate: true });
    authorize(actor, 'recordingSession', 'delete', {
      tenantId: row.tenant_id,
      createdBy: row.created_by,
    });
    const found = await tx('recording_tracks')
      .where({ session_id: sessionId })
      .select('storage_key', 'track_id');
    await tx('recording_sessions')
      .where({ id: sessionId })
      .update({ wrapped_key: null, title: null, scheduled_at: null, erased_at: now });
    await tx('recording_tracks').where({ session_id: sessionId }).del();
    await tx('recording_events').where({ session_id: sessionId }).del();
    await tx('recording_participants').where({ session_id: sessionId }).del();
    await appendActorAudit(tx, now, actor, {
      action: 'recording.delete',
      objectType: 'recording_session',
      objectId: sessionId,
      detail: { tracks: found.length },
    });
    return found as Array<{ storage_key: string; track_id: string | null }>;
  });
  for (const t of tracks) await deps.storage.delete(t.storage_key);
  // The session's delete rule has passed: its catalog tracks go with it, whoever uploaded them.
  const asAdmin: Actor = { ...actor, role: actor.role === 'owner' ? 'owner' : 'admin' };
  for (const t of tracks) {
    if (!t.track_id) continue;
    await deleteTrackAndDerived(deps, asAdmin, t.track_id).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'not_found') throw error;
    });
  }
}
