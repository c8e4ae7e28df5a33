import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { appendRecordingEvent } from './recording-sessions.js';
import { openRecordingRow, openSessionKey, sealTranscript } from './session-keys.js';

/** Whether the organization transcribes its recording sessions' tracks (default: off). */
export interface TranscriptSettings {
  enabled: boolean;
}

/** Reads the organization's transcript setting (members). */
export async function getTranscriptSettings(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<TranscriptSettings> {
  authorize(actor, 'organization', 'read');
  const row = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('organizations').where({ id: actor.tenantId }).first('transcripts_enabled'),
  );
  return { enabled: Boolean(row?.transcripts_enabled) };
}

/** Turns transcripts on or off for the organization (admins); audited. */
export async function setTranscriptSettings(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  settings: TranscriptSettings,
): Promise<void> {
  authorize(actor, 'organization', 'update');
  if (typeof settings?.enabled !== 'boolean') {
    throw new ValidationError('enabled must be true or false', 'enabled');
  }
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await tx('organizations')
      .where({ id: actor.tenantId })
      .update({ transcripts_enabled: settings.enabled });
    await appendActorAudit(tx, deps.clock.now(), actor, {
      action: 'organization.transcripts',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { enabled: settings.enabled },
    });
  });
}

/**
 * Transcribes one session track when the organization has transcripts on and the deployment has
 * an engine; the text is sealed under a key derived from the session key and stored with the
 * track, so deleting the session erases it too. A failing engine does not fail the upload: the
 * session gets a `failed` event naming the transcript. Returns the text, or `null`.
 */
export async function transcribeSessionTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'transcriber'>,
  tenantId: string,
  sessionId: string,
  recordingTrackId: string,
): Promise<string | null> {
  const transcriber = deps.transcriber;
  if (!transcriber) return null;
  const found = await withTenant(deps.db, tenantId, async (tx) => {
    const org = await tx('organizations').where({ id: tenantId }).first('transcripts_enabled');
    if (!org?.transcripts_enabled) return undefined;
    const session = await tx('recording_sessions')
      .where({ id: sessionId })
      .whereNull('erased_at')
      .first();
    const row = await tx('recording_tracks').where({ id: recordingTrackId }).first();
    return session && row ? { session, row } : undefined;
  });
  if (!found) return null;
  try {
    const text = await transcriber.transcribe(
      await openRecordingRow(deps, found.session, found.row),
    );
    const sessionKey = await openSessionKey(deps, found.session);
    const sealed = sealTranscript(sessionKey, recordingTrackId, text);
    sessionKey.fill(0);
    await withTenant(deps.db, tenantId, (tx) =>
      tx('recording_tracks')
        .where({ id: recordingTrackId })
        .update({ transcript: sealed, transcript_engine: transcriber.engine }),
    );
    return text;
  } catch (error) {
    await withTenant(deps.db, tenantId, (tx) =>
      appendRecordingEvent(
        tx,
        tenantId,
        sessionId,
        deps.clock.now(),
        'failed',
        found.row.participant_id,
        { transcript: String((error as Error).message ?? error).slice(0, 200) },
      ),
    ).catch(() => undefined);
    return null;
  }
}
