import type { Vault } from '@vaultmark/vault-core';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Caller } from '../auth/caller.js';
import { HttpError } from '../http-error.js';
import {
  PARTICIPANT_TOKEN_HEADER,
  PARTICIPANT_UPLOADS_PATH,
  RECORDING_UPLOAD_METADATA,
} from '../routes/recording-routes.js';
import { asTusError } from './recording-uploads.js';
import { type TusOptions, tusUploads } from './tus.js';

/**
 * Resumable uploads (tus 1.0 with the checksum extension, as `/api/uploads`) for a recording
 * session's participants who have no account: each request carries the token of their invitation
 * link in {@link PARTICIPANT_TOKEN_HEADER}; every request is one audited use of it. An upload must
 * name the token's own session and participant (anything else answers 404 before any byte), and
 * its partial uploads belong to the token alone. A finished upload becomes the participant's
 * session track.
 */
export function participantUploads(
  vault: Vault,
  options: Pick<TusOptions, 'dir' | 'spoolSecret' | 'maxBytes' | 'expiryMs'>,
): Middleware & { sweepExpired(): Promise<number> } {
  const tokens = new WeakMap<Caller, { token: string; ipHash: string | null }>();
  const tokenOf = (caller: Caller) => {
    const found = tokens.get(caller);
    if (!found) throw { status_code: 401, body: 'open your invitation link first\n' };
    return found;
  };
  const target = (metadata: Record<string, string>) => ({
    sessionId: metadata[RECORDING_UPLOAD_METADATA.session] ?? '',
    participantId: metadata[RECORDING_UPLOAD_METADATA.participant] ?? '',
  });
  return tusUploads({
    ...options,
    path: PARTICIPANT_UPLOADS_PATH,
    async authenticate(koa: ParameterizedContext) {
      const token = koa.get(PARTICIPANT_TOKEN_HEADER);
      if (!token) throw new HttpError(401, 'session_invalid', 'open your invitation link first');
      const ipHash = await vault.accounts.clientIpHash(koa.ip);
      const access = await vault.recording
        .openParticipantLink(token, { ipHash }, 'upload')
        .catch(() => {
          throw new HttpError(401, 'session_invalid', 'this link has expired or was revoked');
        });
      // The upload's owner is the token: its partial uploads are nobody else's.
      const caller: Caller = {
        userId: access.tokenId,
        tenantId: access.tenantId,
        sessionId: access.tokenId,
        via: 'bearer',
      };
      tokens.set(caller, { token, ipHash });
      koa.state.caller = caller;
    },
    async onCreate({ metadata, caller }) {
      const { token, ipHash } = tokenOf(caller);
      await asTusError(
        vault.recording.participantStartUpload(
          token,
          { ...target(metadata), fileName: metadata.filename ?? null },
          { ipHash },
        ),
      );
    },
    async onFailed({ metadata, caller, reason }) {
      const { token, ipHash } = tokenOf(caller);
      await vault.recording.participantFailUpload(
        token,
        { ...target(metadata), reason },
        { ipHash },
      );
    },
    async onComplete(upload) {
      const { token, ipHash } = tokenOf(upload.caller);
      const started = upload.metadata[RECORDING_UPLOAD_METADATA.startedAt];
      const track = await asTusError(
        vault.recording.participantAddTrack(
          token,
          {
            ...target(upload.metadata),
            open: () => upload.open(),
            originalFileName: upload.originalName,
            startedAt: started ? new Date(started) : null,
          },
          { ipHash },
        ),
      );
      return { id: track.id, sizeBytes: track.sizeBytes, sha256: track.sha256 };
    },
  });
}
