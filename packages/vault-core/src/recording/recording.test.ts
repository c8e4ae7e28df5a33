import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { errorCode } from '../../test/error-code.js';
import { createDecryptStream } from '../crypto/envelope.js';
import { LocalKek } from '../crypto/key-wrapper.js';
import { withSystem, withTenant } from '../db/transactions.js';
import type { Actor } from '../policies.js';
import { addParticipant } from './participants.js';
import {
  createRecordingSession,
  deleteRecordingSession,
  getRecordingSession,
  listRecordingSessions,
} from './recording-sessions.js';
import { openSessionKey, SessionKeyWrapper, sessionKeyContext } from './session-keys.js';
import {
  addSessionTrack,
  failSessionUpload,
  openSessionTrack,
  startSessionUpload,
} from './session-tracks.js';
import { TestTranscriber } from './transcriber.js';
import { getTranscriptSettings, setTranscriptSettings } from './transcripts.js';

const audioA = Buffer.from(`RIFF${'a'.repeat(5000)}`);
const audioB = Buffer.from(`RIFF${'b'.repeat(7000)}`);
const opener = (bytes: Buffer) => () => Readable.from([bytes]);

const failure = errorCode;

describe.each(engines)('recording sessions on %s', (engine) => {
  const deps = useTestDeps(engine);
  let ann: Actor;
  let bob: Actor;
  beforeAll(async () => {
    ann = await ownerActor(deps, 'ann');
    bob = await ownerActor(deps, 'bob');
  });

  async function twoParticipantSession() {
    const session = await createRecordingSession(deps, ann, {
      title: 'Live at the mill',
      scheduledAt: new Date('2026-03-02T18:00:00Z'),
    });
    const host = await addParticipant(deps, ann, session.id, {
      name: 'Ann',
      email: 'ann@example.org',
      role: 'host',
    });
    const guest = await addParticipant(deps, ann, session.id, {
      name: 'Gus',
      email: 'Gus@Example.org',
      role: 'guest',
      link: `https://vault.test/recording-sessions/${session.id}`,
    });
    return { session, host, guest };
  }

  it('creates a session, invites participants by email and aligns their tracks', async () => {
    const { session, host, guest } = await twoParticipantSession();
    expect(session.title).toBe('Live at the mill');
    const mails = readdirSync(deps.outbox).map((f) => readFileSync(join(deps.outbox, f), 'utf8'));
    const toGus = mails.find((m) => m.includes('To: gus@example.org'));
    expect(toGus).toContain('Live at the mill');
    expect(toGus).toContain(`/recording-sessions/${session.id}`);

    await startSessionUpload(deps, ann, {
      sessionId: session.id,
      participantId: host.id,
      fileName: 'ann.wav',
    });
    await addSessionTrack(deps, ann, {
      sessionId: session.id,
      participantId: host.id,
      open: opener(audioA),
      originalFileName: 'ann.wav',
      startedAt: new Date('2026-03-02T18:00:01.000Z'),
    });
    deps.clock.advance(1000);
    await startSessionUpload(deps, ann, { sessionId: session.id, participantId: guest.id });
    await failSessionUpload(deps, ann, {
      sessionId: session.id,
      participantId: guest.id,
      reason: 'checksum mismatch',
    });
    const gus = await addSessionTrack(deps, ann, {
      sessionId: session.id,
      participantId: guest.id,
      open: opener(audioB),
      originalFileName: 'gus.wav',
      startedAt: new Date('2026-03-02T18:00:01.250Z'),
    });
    expect(gus.transcript).toBeNull();

    const got = await getRecordingSession(deps, ann, session.id);
    expect(got.participants.map((p) => [p.name, p.email, p.role])).toEqual([
      ['Ann', 'ann@example.org', 'host'],
      ['Gus', 'gus@example.org', 'guest'],
    ]);
    expect(got.tracks.map((t) => [t.participantId, t.offsetMs, t.sizeBytes])).toEqual([
      [host.id, 0, audioA.length],
      [guest.id, 250, audioB.length],
    ]);
    expect(got.events.map((e) => e.kind)).toEqual([
      'invited',
      'invited',
      'joined',
      'upload_started',
      'completed',
      'joined',
      'upload_started',
      'failed',
      'completed',
    ]);
    // Each finished session track is a catalog track (analysis queued as for any upload).
    const trackIds = got.tracks.map((t) => t.trackId);
    const catalog = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('tracks')
        .whereIn('id', trackIds as string[])
        .orderBy('title')
        .pluck('title'),
    );
    expect(catalog).toEqual(['Live at the mill – Ann', 'Live at the mill – Gus']);
    expect(await buffer(await openSessionTrack(deps, ann, session.id, gus.id))).toEqual(audioB);
    expect((await listRecordingSessions(deps, ann)).map((s) => s.id)).toContain(session.id);
    expect(await auditActions(deps, ann.tenantId)).toEqual(
      expect.arrayContaining([
        'recording.create',
        'recording.participant_add',
        'recording.track_add',
        'recording.track_read',
      ]),
    );
  });

  it('answers not_found for another organization’s session, participant and track', async () => {
    const { session, host } = await twoParticipantSession();
    const track = await addSessionTrack(deps, ann, {
      sessionId: session.id,
      participantId: host.id,
      open: opener(audioA),
    });
    const target = { sessionId: session.id, participantId: host.id };
    expect(await failure(getRecordingSession(deps, bob, session.id))).toBe('not_found');
    expect(await failure(deleteRecordingSession(deps, bob, session.id))).toBe('not_found');
    expect(
      await failure(
        addParticipant(deps, bob, session.id, { name: 'X', email: 'x@example.org', role: 'guest' }),
      ),
    ).toBe('not_found');
    expect(await failure(startSessionUpload(deps, bob, target))).toBe('not_found');
    expect(await failure(failSessionUpload(deps, bob, { ...target, reason: 'x' }))).toBe(
      'not_found',
    );
    expect(await failure(addSessionTrack(deps, bob, { ...target, open: opener(audioA) }))).toBe(
      'not_found',
    );
    expect(await failure(openSessionTrack(deps, bob, session.id, track.id))).toBe('not_found');
    // A participant of another session of the same organization is not this session's.
    const other = await createRecordingSession(deps, ann, { title: 'Other' });
    expect(
      await failure(startSessionUpload(deps, ann, { sessionId: other.id, participantId: host.id })),
    ).toBe('not_found');
    expect(await failure(getRecordingSession(deps, ann, 'not-a-uuid'))).toBe('not_found');
    // Bob's own list does not show it.
    expect((await listRecordingSessions(deps, bob)).map((s) => s.id)).not.toContain(session.id);
  });

  it('wraps the session key under the organization and session', async () => {
    const { session } = await twoParticipantSession();
    const row = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('recording_sessions').where({ id: session.id }).first(),
    );
    const key = await openSessionKey(deps, row);
    expect(key.length).toBe(32);
    // The test vault's KEK (the same bytes as the test ports').
    const kek = new LocalKek(Buffer.alloc(32, 0x42));
    // Under another organization, or without the session in the context, it does not open.
    for (const context of [
      sessionKeyContext(bob.tenantId, session.id),
      { tenantId: ann.tenantId, objectId: session.id },
    ]) {
      expect(await failure(kek.unwrap(row.wrapped_key, context, row.kek_id))).toBe(
        'integrity_error',
      );
    }
  });

  it('crypto-erases a deleted recording: ciphertext, database and KEK no longer decrypt it', async () => {
    const { session, host } = await twoParticipantSession();
    const track = await addSessionTrack(deps, ann, {
      sessionId: session.id,
      participantId: host.id,
      open: opener(audioA),
    });
    // What an attacker keeps: the track's row and blob as they were before the deletion.
    const kept = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('recording_tracks').where({ id: track.id }).first(),
    );
    const ciphertext = await buffer(await deps.storage.get(kept.storage_key));
    expect(ciphertext.includes(audioA.subarray(0, 64))).toBe(false);

    await deleteRecordingSession(deps, ann, session.id);
    expect(await failure(getRecordingSession(deps, ann, session.id))).toBe('not_found');
    expect(await deps.storage.exists(kept.storage_key)).toBe(false);
    expect(await auditActions(deps, ann.tenantId)).toContain('recording.delete');

    // The whole database after the deletion (read past row-level security) and the KEK.
    const tombstone = await withSystem(deps.db, (tx) =>
      tx('recording_sessions').where({ id: session.id }).first(),
    );
    expect(tombstone).toMatchObject({ wrapped_key: null, title: null });
    expect(await failure(openSessionKey(deps, tombstone))).toBe('object_erased');
    const catalog = await withSystem(deps.db, (tx) =>
      tx('objects').where({ tenant_id: ann.tenantId }).whereNotNull('wrapped_key').select('*'),
    );
    // The test vault's KEK (the same bytes as the test ports').
    const kek = new LocalKek(Buffer.alloc(32, 0x42));
    // No key the database still holds opens the track key: not the KEK itself, not any data key
    // it still wraps (used as if it were the session key).
    const context = { tenantId: ann.tenantId, objectId: track.id };
    expect(await failure(kek.unwrap(kept.wrapped_key, context, kek.keyId))).toBe('integrity_error');
    for (const row of catalog) {
      const dataKey = await kek
        .unwrap(row.wrapped_key, { tenantId: row.tenant_id, objectId: row.id }, row.kek_id)
        .catch(() => undefined);
      if (!dataKey) continue;
      const asSession = new SessionKeyWrapper(dataKey, session.id);
      expect(await failure(asSession.unwrap(kept.wrapped_key, context, asSession.keyId))).toBe(
        'integrity_error',
      );
    }
    // And the ciphertext under any other key fails its authentication.
    const stream = Readable.from([ciphertext]).pipe(
      createDecryptStream(Buffer.alloc(32), track.id),
    );
    expect(await failure(buffer(stream))).toBe('integrity_error');
    // The catalog tracks it became are deleted with it.
    const trackRow = await withSystem(deps.db, (tx) =>
      tx('tracks').where({ id: track.trackId }).first(),
    );
    expect(trackRow).toBeUndefined();
  });

  it('transcribes only when the organization turns transcripts on, and erases them with it', async () => {
    const transcribing = new Proxy(deps, {
      get: (target, prop) =>
        prop === 'transcriber' ? new TestTranscriber() : target[prop as keyof typeof target],
    });
    expect(await getTranscriptSettings(deps, ann)).toEqual({ enabled: false });
    const { session, host, guest } = await twoParticipantSession();
    const off = await addSessionTrack(transcribing, ann, {
      sessionId: session.id,
      participantId: host.id,
      open: opener(audioA),
    });
    expect(off.transcript).toBeNull();
    await setTranscriptSettings(deps, ann, { enabled: true });
    expect(await getTranscriptSettings(deps, ann)).toEqual({ enabled: true });
    const on = await addSessionTrack(transcribing, ann, {
      sessionId: session.id,
      participantId: guest.id,
      open: opener(audioB),
    });
    expect(on.transcript).toBe(`test transcript of ${audioB.length} bytes`);
    const stored = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('recording_tracks').where({ id: on.id }).first(),
    );
    expect(stored.transcript_engine).toBe('test');
    expect(Buffer.from(stored.transcript).includes(Buffer.from('transcript'))).toBe(false);
    const got = await getRecordingSession(deps, ann, session.id);
    expect(got.tracks.find((t) => t.id === on.id)?.transcript).toBe(on.transcript);
    await setTranscriptSettings(deps, ann, { enabled: false });
    expect(await failure(setTranscriptSettings(deps, ann, { enabled: 'yes' as never }))).toBe(
      'invalid_input',
    );
    await deleteRecordingSession(deps, ann, session.id);
    const left = await withSystem(deps.db, (tx) =>
      tx('recording_tracks').where({ session_id: session.id }).count({ n: '*' }),
    );
    expect(Number(left[0]?.n)).toBe(0);
  });

  it('lets only the creator or an admin delete, and validates input', async () => {
    expect(await failure(createRecordingSession(deps, ann, { title: ' ' }))).toBe('invalid_input');
    const { session } = await twoParticipantSession();
    expect(
      await failure(
        addParticipant(deps, ann, session.id, {
          name: 'X',
          email: 'x@example.org',
          role: 'drummer' as never,
        }),
      ),
    ).toBe('invalid_input');
    const member: Actor = { ...ann, userId: bob.userId, role: 'member' };
    expect(await failure(deleteRecordingSession(deps, member, session.id))).toBe('forbidden');
  });
});
