import type { Actor, Vault } from '@vaultmark/vault-core';
import type { Caller } from '../auth/caller.js';
import { STATUS_BY_CODE } from '../http-error.js';
import { RECORDING_UPLOAD_METADATA } from '../routes/recording-routes.js';
import type { FinishedUpload, TusOptions, UploadInfo } from './tus.js';

function actorOfCaller(caller: Caller): Actor {
  return { userId: caller.userId, tenantId: caller.tenantId, role: caller.role ?? 'member' };
}

/** The session and participant an upload's metadata names, when it is for a recording session. */
function targetOf(metadata: Record<string, string>) {
  const sessionId = metadata[RECORDING_UPLOAD_METADATA.session];
  if (sessionId === undefined) return undefined;
  return { sessionId, participantId: metadata[RECORDING_UPLOAD_METADATA.participant] ?? '' };
}

/** A vault error as the tus server answers it (`{ status_code, body }`). */
export async function asTusError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const status = typeof code === 'string' ? STATUS_BY_CODE[code] : undefined;
    if (!status) throw error;
    throw { status_code: status, body: `${(error as Error).message}\n` };
  }
}

/**
 * The resumable-upload hooks of recording sessions: an upload whose metadata names a session and
 * participant is checked at creation (another organization's session, or a participant of another
 * session, answers 404 before any byte), failures (a chunk failing its checksum, a file that is
 * not audio) become session events, and a finished upload becomes the participant's session track
 * (and a catalog track). Uploads without a session are left to the catalog.
 */
export function recordingUploads(vault: Vault): Required<
  Pick<TusOptions, 'onCreate' | 'onFailed'>
> & {
  /** The session track's answer, or `undefined` when the upload is not for a session. */
  onComplete(upload: FinishedUpload): Promise<Record<string, unknown> | undefined>;
} {
  return {
    async onCreate({ metadata, caller }: UploadInfo) {
      const target = targetOf(metadata);
      if (!target) return;
      await asTusError(
        vault.recording.startUpload(actorOfCaller(caller), {
          ...target,
          fileName: metadata.filename ?? null,
        }),
      );
    },
    async onFailed({ metadata, caller, reason }) {
      const target = targetOf(metadata);
      if (target) await vault.recording.failUpload(actorOfCaller(caller), { ...target, reason });
    },
    async onComplete(upload) {
      const target = targetOf(upload.metadata);
      if (!target) return undefined;
      const started = upload.metadata[RECORDING_UPLOAD_METADATA.startedAt];
      const track = await asTusError(
        vault.recording.addTrack(actorOfCaller(upload.caller), {
          ...target,
          open: () => upload.open(),
          originalFileName: upload.originalName,
          startedAt: started ? new Date(started) : null,
        }),
      );
      return {
        id: track.id,
        trackId: track.trackId,
        sessionId: target.sessionId,
        participantId: track.participantId,
        sizeBytes: track.sizeBytes,
        sha256: track.sha256,
      };
    },
  };
}
