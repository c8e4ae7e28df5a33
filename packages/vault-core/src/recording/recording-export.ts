import type { Readable } from 'node:stream';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { openRecordingRow, openSessionKey, openTranscript } from './session-keys.js';

/**
 * An organization's recording sessions as its export reads them, in its tenant transaction:
 * live sessions (not erased) with their participants, events and tracks. Wrapped keys stay in
 * these rows for {@link recordingExport} and never reach the export.
 */
export async function recordingRows(tx: Tx) {
  const sessions = await tx('recording_sessions').whereNull('erased_at').orderBy('created_at');
  const live = sessions.map((s) => s.id as string);
  return {
    sessions,
    participants: await tx('recording_participants')
      .whereIn('session_id', live)
      .orderBy('created_at')
      .select('id', 'session_id', 'name', 'email', 'role', 'created_at', 'removed_at'),
    events: await tx('recording_events')
      .whereIn('session_id', live)
      .orderBy('seq')
      .select('id', 'session_id', 'participant_id', 'kind', 'at', 'detail'),
    tracks: await tx('recording_tracks').whereIn('session_id', live).orderBy('started_at'),
  };
}

/** A file of the export: its path in the tarball, its size and its plaintext. */
export interface ExportFile {
  name: string;
  size: number;
  open(): Promise<Readable>;
}

/**
 * The recording part of an organization export: metadata, participants, events and tracks,
 * each transcript decrypted as text with its session key, and each track's audio (decrypted
 * under its session key when the tarball is written) at `recordings/<session>/<track><ext>`.
 */
export async function recordingExport(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  rows: Awaited<ReturnType<typeof recordingRows>>,
) {
  const byId = new Map(rows.sessions.map((s) => [s.id as string, s]));
  const transcripts = new Map<string, string>();
  for (const session of rows.sessions) {
    const sealed = rows.tracks.filter((t) => t.session_id === session.id && t.transcript);
    if (sealed.length === 0) continue;
    const key = await openSessionKey(deps, session);
    try {
      for (const t of sealed) transcripts.set(t.id, openTranscript(key, t.id, t.transcript));
    } finally {
      key.fill(0);
    }
  }
  const files: ExportFile[] = rows.tracks.map((t) => ({
    name: `recordings/${t.session_id}/${t.id}${extension(t.original_file_name)}`,
    size: Number(t.size_bytes),
    open: () => openRecordingRow(deps, byId.get(t.session_id), t),
  }));
  const recordings = {
    recordingSessions: rows.sessions.map((s) => ({
      id: s.id,
      title: s.title,
      scheduled_at: s.scheduled_at ?? null,
      created_by: s.created_by ?? null,
      created_at: s.created_at,
    })),
    recordingParticipants: rows.participants,
    recordingEvents: rows.events.map((e) => ({
      ...e,
      detail: typeof e.detail === 'string' ? JSON.parse(e.detail) : (e.detail ?? null),
    })),
    recordingTracks: rows.tracks.map((t, i) => ({
      id: t.id,
      session_id: t.session_id,
      participant_id: t.participant_id,
      track_id: t.track_id ?? null,
      original_file_name: t.original_file_name ?? null,
      size_bytes: Number(t.size_bytes),
      sha256: t.plaintext_sha256,
      started_at: t.started_at,
      created_at: t.created_at,
      transcript: transcripts.get(t.id) ?? null,
      transcript_engine: t.transcript_engine ?? null,
      path: files[i]?.name,
    })),
  };
  return { recordings, files };
}

/** A file name's extension, lower case, or '' (the export's audio paths). */
export function extension(name: string | null): string {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(name ?? '');
  return m ? `.${m[1]?.toLowerCase()}` : '';
}
