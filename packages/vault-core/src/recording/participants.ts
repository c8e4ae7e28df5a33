import { randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { normalizeEmail } from '../email-address.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { issueParticipantToken, PARTICIPANT_TOKEN_DAYS } from './participant-tokens.js';
import {
  appendRecordingEvent,
  PARTICIPANT_ROLES,
  type ParticipantRole,
  sessionRow,
} from './recording-sessions.js';

function roleOf(role: unknown): ParticipantRole {
  if (!PARTICIPANT_ROLES.includes(role as ParticipantRole)) {
    throw new ValidationError('role must be host, guest or engineer', 'role');
  }
  return role as ParticipantRole;
}

function nameOf(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.trim().length > 200) {
    throw new ValidationError('a name of 1 to 200 characters is required', 'name');
  }
  return name.trim();
}

/**
 * Adds a participant to a session and emails the invitation (members). The `invited` event and
 * the audit event are written in one transaction; the mail goes after commit, and a mail
 * failure does not undo the invitation (the host can tell the person another way).
 * `link` is the session page, put in the mail when given.
 */
export async function addParticipant(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'mailer'>,
  actor: Actor,
  sessionId: string,
  input: {
    name: string;
    email: string;
    role: ParticipantRole;
    link?: string | null;
    /** The participant page: the mail links it with the participant's token in the fragment. */
    participantLink?: string | null;
  },
): Promise<{ id: string }> {
  authorize(actor, 'recordingSession', 'update');
  const name = nameOf(input?.name);
  const email = normalizeEmail(input.email);
  const role = roleOf(input.role);
  const id = randomUUID();
  const now = deps.clock.now();
  const sent = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const session = await sessionRow(tx, sessionId);
    await tx('recording_participants').insert({
      id,
      tenant_id: actor.tenantId,
      session_id: sessionId,
      name,
      email,
      role,
      created_at: now,
    });
    await appendRecordingEvent(tx, actor.tenantId, sessionId, now, 'invited', id, { role });
    const token = input.participantLink
      ? await issueParticipantToken(tx, now, actor.tenantId, sessionId, id)
      : null;
    await appendActorAudit(tx, now, actor, {
      action: 'recording.participant_add',
      objectType: 'recording_session',
      objectId: sessionId,
      detail: { participantId: id, role },
    });
    const inviter = await tx('users').where({ id: actor.userId }).first('display_name');
    return {
      title: session.title as string,
      inviter: (inviter?.display_name as string) ?? '',
      token,
    };
  });
  const own = sent.token
    ? `\n\nYour upload link (no account needed; keep it to yourself, it works for ${PARTICIPANT_TOKEN_DAYS} days): ${input.participantLink}#${sent.token}`
    : '';
  const when = `${input.link ? `\n\nThe session page (members of the organization): ${input.link}` : ''}${own}`;
  await deps.mailer
    .send({
      to: email,
      subject: `${sent.inviter} invited you to the recording session “${sent.title}”`,
      text: `${sent.inviter} invited you to the recording session “${sent.title}” on Vaultmark as ${role}.\n\nRecord your own track and upload it from the session page; uploads resume where they stopped if the connection drops.${when}\n\nIf you do not know the sender, ignore this message.`,
    })
    .catch(() => undefined);
  return { id };
}
