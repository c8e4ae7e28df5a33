import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { appendActorAudit, appendAudit } from '../audit/audit-log.js';
import { isUuid, type Tx, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, SessionInvalidError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { type RecordingTrack, sessionRow } from './recording-sessions.js';
import {
  addSessionTrack,
  failSessionUpload,
  type SessionUploadTarget,
  startSessionUpload,
} from './session-tracks.js';

/** A participant token lives this long at most (and never beyond its session): 30 days. */
export const PARTICIPANT_TOKEN_DAYS = 30;

const SEPARATOR = '.';

const secretHash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Issues a participant's upload token in the caller's transaction: `<id>.<secret>` (32 random
 * bytes, base64url). Only the secret's SHA-256 is stored; any earlier token of the participant
 * is revoked (one live link per participant).
 */
export async function issueParticipantToken(
  tx: Tx,
  now: Date,
  tenantId: string,
  sessionId: string,
  participantId: string,
): Promise<string> {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  await tx('recording_participant_tokens')
    .where({ participant_id: participantId })
    .whereNull('revoked_at')
    .update({ revoked_at: now });
  await tx('recording_participant_tokens').insert({
    id,
    tenant_id: tenantId,
    session_id: sessionId,
    participant_id: participantId,
    secret_hash: secretHash(secret),
    created_at: now,
    expires_at: new Date(now.getTime() + PARTICIPANT_TOKEN_DAYS * 86_400_000),
  });
  return `${id}${SEPARATOR}${secret}`;
}

/** What a participant token opens: one participant of one session. */
export interface ParticipantAccess {
  tokenId: string;
  tenantId: string;
  sessionId: string;
  participantId: string;
  participantName: string;
  role: string;
  sessionTitle: string;
  scheduledAt: Date | null;
  expiresAt: Date;
  /** The participant's own tracks in this session (never the others'). */
  tracks: Array<Pick<RecordingTrack, 'id' | 'originalFileName' | 'sizeBytes' | 'startedAt'>>;
}

/** The token's id and secret, or `undefined` when it is not shaped like one. */
function parseToken(token: unknown): { id: string; secret: string } | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const at = token.indexOf(SEPARATOR);
  const id = token.slice(0, at);
  const secret = token.slice(at + 1);
  return at > 0 && isUuid(id) && secret.length >= 32 ? { id, secret } : undefined;
}

/**
 * Checks a participant token and logs its use (the use counter, a `recording.participant_token_use`
 * audit event with the hashed address and what it was used for), then runs `work` in the same
 * transaction. The row is found by the token's id and the secret's hash compared in constant
 * time; unknown, revoked and expired tokens, tokens of a removed participant and of an erased
 * session all fail alike (`session_invalid`).
 */
async function withParticipantToken<T>(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  purpose: string,
  client: { ipHash?: string | null },
  // biome-ignore lint/suspicious/noExplicitAny: database rows
  work: (tx: Tx, found: { token: any; session: any; participant: any }) => Promise<T>,
): Promise<T> {
  const parsed = parseToken(token);
  if (!parsed) throw new SessionInvalidError();
  // The token names its tenant only through its id: a system lookup by primary key.
  const located = await withSystem(deps.db, (tx) =>
    tx('recording_participant_tokens').where({ id: parsed.id }).first('tenant_id'),
  );
  if (!located) throw new SessionInvalidError();
  const now = deps.clock.now();
  const result = await withTenant(deps.db, located.tenant_id, async (tx) => {
    const row = await tx('recording_participant_tokens')
      .where({ id: parsed.id })
      .forUpdate()
      .first();
    const given = secretHash(parsed.secret);
    const stored = Buffer.from(row?.secret_hash ?? Buffer.alloc(32));
    const matches = stored.length === given.length && timingSafeEqual(stored, given);
    if (!row || !matches || row.revoked_at || new Date(row.expires_at) <= now) return null;
    const session = await tx('recording_sessions')
      .where({ id: row.session_id })
      .whereNull('erased_at')
      .first();
    const participant = await tx('recording_participants')
      .where({ id: row.participant_id, session_id: row.session_id })
      .whereNull('removed_at')
      .first();
    if (!session || !participant) return null;
    await tx('recording_participant_tokens')
      .where({ id: row.id })
      .update({ last_used_at: now, uses: Number(row.uses) + 1 });
    await appendAudit(tx, now, {
      tenantId: row.tenant_id,
      actorId: null,
      action: 'recording.participant_token_use',
      objectType: 'recording_session',
      objectId: row.session_id,
      ipHash: client.ipHash ?? null,
      detail: { participantId: row.participant_id, link: row.id, purpose },
    });
    return { value: await work(tx, { token: row, session, participant }) };
  });
  if (!result) throw new SessionInvalidError();
  return result.value;
}

/**
 * Opens a participant's link: the session (title, schedule) and the participant with their own
 * tracks, nothing of the other participants. Logged and audited as one use of the token.
 */
export async function useParticipantToken(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  client: { ipHash?: string | null } = {},
  purpose = 'view',
): Promise<ParticipantAccess> {
  return withParticipantToken(deps, token, purpose, client, async (tx, f) => {
    const tracks = await tx('recording_tracks')
      .where({ session_id: f.session.id, participant_id: f.participant.id })
      .orderBy('started_at');
    return {
      tokenId: f.token.id,
      tenantId: f.token.tenant_id,
      sessionId: f.session.id,
      participantId: f.participant.id,
      participantName: f.participant.name,
      role: f.participant.role,
      sessionTitle: f.session.title,
      scheduledAt: f.session.scheduled_at ?? null,
      expiresAt: new Date(f.token.expires_at),
      tracks: tracks.map((t) => ({
        id: t.id,
        originalFileName: t.original_file_name ?? null,
        sizeBytes: Number(t.size_bytes),
        startedAt: t.started_at,
      })),
    };
  });
}

/**
 * The token's access, checking an upload names exactly its session and participant: any other
 * session (this organization's or another's) or participant answers `not_found`. The work is done
 * for the participant by the session's creator (the catalog track is theirs, as if they had
 * uploaded it); the token use is audited with what it was for.
 */
async function asParticipant(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  target: SessionUploadTarget,
  purpose: string,
  client: { ipHash?: string | null },
): Promise<Actor> {
  return withParticipantToken(deps, token, purpose, client, async (_tx, f) => {
    if (target.sessionId !== f.session.id || target.participantId !== f.participant.id) {
      throw new NotFoundError('recording session');
    }
    if (!f.session.created_by) throw new NotFoundError('recording session');
    return { userId: f.session.created_by, tenantId: f.token.tenant_id, role: 'member' };
  });
}

/** {@link startSessionUpload} for the participant a token names (only their own upload). */
export async function startParticipantUpload(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  input: SessionUploadTarget & { fileName?: string | null },
  client: { ipHash?: string | null } = {},
): Promise<void> {
  const actor = await asParticipant(deps, token, input, 'upload_start', client);
  await startSessionUpload(deps, actor, input);
}

/** {@link failSessionUpload} for the participant a token names. */
export async function failParticipantUpload(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  token: string,
  input: SessionUploadTarget & { reason: string },
  client: { ipHash?: string | null } = {},
): Promise<void> {
  const actor = await asParticipant(deps, token, input, 'upload_failed', client);
  await failSessionUpload(deps, actor, input);
}

/** {@link addSessionTrack} for the participant a token names: their own track only. */
export async function addParticipantTrack(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'transcriber'>,
  token: string,
  input: SessionUploadTarget & {
    open: () => Readable;
    originalFileName?: string | null;
    startedAt?: Date | null;
  },
  client: { ipHash?: string | null } = {},
): Promise<RecordingTrack> {
  const actor = await asParticipant(deps, token, input, 'upload_complete', client);
  return addSessionTrack(deps, actor, input);
}

/**
 * Removes a participant from a session (members): their tokens are revoked at once and they
 * upload no more; their tracks already in the session stay. Audited.
 */
export async function removeParticipant(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  sessionId: string,
  participantId: string,
): Promise<void> {
  authorize(actor, 'recordingSession', 'update');
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    await sessionRow(tx, sessionId);
    const n = isUuid(participantId)
      ? await tx('recording_participants')
          .where({ id: participantId, session_id: sessionId })
          .whereNull('removed_at')
          .update({ removed_at: now })
          .returning('id')
      : [];
    if (n.length === 0) throw new NotFoundError('participant');
    const revoked = await tx('recording_participant_tokens')
      .where({ participant_id: participantId })
      .whereNull('revoked_at')
      .update({ revoked_at: now })
      .returning('id');
    await appendActorAudit(tx, now, actor, {
      action: 'recording.participant_remove',
      objectType: 'recording_session',
      objectId: sessionId,
      detail: { participantId, linksRevoked: revoked.length },
    });
  });
}
