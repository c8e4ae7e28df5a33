import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { errorCode } from '../../test/error-code.js';
import { withSystem } from '../db/transactions.js';
import type { Actor } from '../policies.js';
import {
  addParticipantTrack,
  failParticipantUpload,
  PARTICIPANT_TOKEN_DAYS,
  removeParticipant,
  startParticipantUpload,
  useParticipantToken,
} from './participant-tokens.js';
import { addParticipant } from './participants.js';
import { createRecordingSession, deleteRecordingSession } from './recording-sessions.js';
import { openSessionTrack } from './session-tracks.js';

const audio = Buffer.from(`RIFF${'p'.repeat(3000)}`);
const open = () => Readable.from([audio]);

const failure = errorCode;

describe.each(engines)('participant upload links on %s', (engine) => {
  const deps = useTestDeps(engine);
  let ann: Actor;
  let bob: Actor;
  beforeAll(async () => {
    ann = await ownerActor(deps, 'ann-p');
    bob = await ownerActor(deps, 'bob-p');
  });

  /** Invites `email` to a new session of `actor`; answers the ids and the emailed token. */
  async function invite(actor: Actor, email: string) {
    const session = await createRecordingSession(deps, actor, { title: `Take for ${email}` });
    const p = await addParticipant(deps, actor, session.id, {
      name: 'Pat',
      email,
      role: 'guest',
      link: `https://vault.test/recording-sessions/${session.id}`,
      participantLink: 'https://vault.test/participate',
    });
    const mail = readdirSync(deps.outbox)
      .map((f) => readFileSync(join(deps.outbox, f), 'utf8'))
      .find((m) => m.includes(`To: ${email}`));
    const token = /participate#(\S+)/.exec(mail ?? '')?.[1];
    expect(token, 'the invitation carries the participant link').toBeDefined();
    return { sessionId: session.id, participantId: p.id, token: token as string };
  }

  it('lets a participant without an account see their session and upload their own track', async () => {
    const { sessionId, participantId, token } = await invite(ann, 'pat1@example.org');
    const stored = await withSystem(deps.db, (tx) =>
      tx('recording_participant_tokens').where({ participant_id: participantId }).first(),
    );
    // Only a hash of the secret is stored.
    expect(Buffer.from(stored.secret_hash).toString('utf8')).not.toContain(token.split('.')[1]);
    expect(new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime()).toBe(
      PARTICIPANT_TOKEN_DAYS * 86_400_000,
    );

    const view = await useParticipantToken(deps, token, { ipHash: 'ip-hash-1' });
    expect(view).toMatchObject({ sessionId, participantId, participantName: 'Pat', tracks: [] });
    const target = { sessionId, participantId };
    await startParticipantUpload(deps, token, { ...target, fileName: 'pat.wav' });
    await failParticipantUpload(deps, token, { ...target, reason: 'checksum_mismatch' });
    const track = await addParticipantTrack(deps, token, { ...target, open });
    expect((await useParticipantToken(deps, token)).tracks.map((t) => t.id)).toEqual([track.id]);
    expect(await buffer(await openSessionTrack(deps, ann, sessionId, track.id))).toEqual(audio);

    // Every use is audited with the hashed address.
    const uses = await withSystem(deps.db, (tx) =>
      tx('audit_events')
        .where({ tenant_id: ann.tenantId, action: 'recording.participant_token_use' })
        .orderBy('seq'),
    );
    expect(uses).toHaveLength(5);
    expect(uses[0].ip_hash).toBe('ip-hash-1');
    expect(await auditActions(deps, ann.tenantId)).toContain('recording.track_add');
  });

  it('opens nothing of another session or organization (not_found), nor with a forged token', async () => {
    const a = await invite(ann, 'pat2@example.org');
    const sameOrg = await invite(ann, 'pat3@example.org');
    const otherOrg = await invite(bob, 'pat4@example.org');
    for (const other of [sameOrg, otherOrg]) {
      for (const target of [
        { sessionId: other.sessionId, participantId: other.participantId },
        { sessionId: other.sessionId, participantId: a.participantId },
        { sessionId: a.sessionId, participantId: other.participantId },
      ]) {
        expect(await failure(startParticipantUpload(deps, a.token, target))).toBe('not_found');
        expect(await failure(addParticipantTrack(deps, a.token, { ...target, open }))).toBe(
          'not_found',
        );
      }
    }
    const [id, secret] = a.token.split('.') as [string, string];
    const forged = [
      `${id}.${secret.slice(0, -2)}AA`,
      `${otherOrg.token.split('.')[0]}.${secret}`,
      'not-a-token',
      '',
    ];
    for (const t of forged) {
      expect(await failure(useParticipantToken(deps, t))).toBe('session_invalid');
    }
  });

  it('ends a token at expiry, on removal and with the session', async () => {
    const expiring = await invite(ann, 'pat5@example.org');
    deps.clock.advance(PARTICIPANT_TOKEN_DAYS * 86_400_000 + 1000);
    expect(await failure(useParticipantToken(deps, expiring.token))).toBe('session_invalid');

    const removed = await invite(ann, 'pat6@example.org');
    expect(
      await failure(removeParticipant(deps, bob, removed.sessionId, removed.participantId)),
    ).toBe('not_found');
    await useParticipantToken(deps, removed.token);
    await removeParticipant(deps, ann, removed.sessionId, removed.participantId);
    expect(await failure(useParticipantToken(deps, removed.token))).toBe('session_invalid');
    expect(await auditActions(deps, ann.tenantId)).toContain('recording.participant_remove');

    const erased = await invite(ann, 'pat7@example.org');
    await deleteRecordingSession(deps, ann, erased.sessionId);
    expect(await failure(useParticipantToken(deps, erased.token))).toBe('session_invalid');
  });
});
