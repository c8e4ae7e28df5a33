import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { type LocalKms, localKmsBinary, startLocalKms } from '../../test/local-kms.js';
import { KeyRing } from '../crypto/data-keys.js';
import { type KeyWrapper, LocalKek } from '../crypto/key-wrapper.js';
import { OrganizationKeyRing } from '../crypto/organization-key-ring.js';
import { withSystem } from '../db/transactions.js';
import { rewrapKeys } from '../keys/key-rotation.js';
import { loadOrganizationKeys, setOrganizationKey } from '../keys/organization-key.js';
import type { Actor } from '../policies.js';
import { addParticipant } from './participants.js';
import { createRecordingSession } from './recording-sessions.js';
import { addSessionTrack, openSessionTrack } from './session-tracks.js';

const audio = Buffer.from(`RIFF${'r'.repeat(4000)}`);

/** A session with one finished track; answers the ids to read it back. */
// biome-ignore lint/suspicious/noExplicitAny: test deps with a swapped key ring
async function sessionWithTrack(deps: any, actor: Actor) {
  const session = await createRecordingSession(deps, actor, { title: 'Rotation take' });
  const p = await addParticipant(deps, actor, session.id, {
    name: 'Rosa',
    email: 'rosa@example.org',
    role: 'guest',
  });
  const track = await addSessionTrack(deps, actor, {
    sessionId: session.id,
    participantId: p.id,
    open: () => Readable.from([audio]),
  });
  return { sessionId: session.id, trackId: track.id };
}

const rows = (deps: { db: Parameters<typeof withSystem>[0] }, sessionId: string) =>
  withSystem(deps.db, async (tx) => ({
    session: await tx('recording_sessions').where({ id: sessionId }).first(),
    tracks: await tx('recording_tracks').where({ session_id: sessionId }).orderBy('id'),
  }));

describe.each(engines)('session keys under KEK rotation (%s)', (engine) => {
  const base = useTestDeps(engine);
  const oldKek = new LocalKek(Buffer.alloc(32, 0x51));
  const newKek = new LocalKek(Buffer.alloc(32, 0x52));
  const ring: KeyWrapper[] = [oldKek];
  const keys = new KeyRing({ keks: () => ring });
  // biome-ignore lint/suspicious/noExplicitAny: the test deps with the rotated key ring
  const deps: any = new Proxy(base, {
    get: (t, p) => (p === 'keys' ? keys : t[p as keyof typeof t]),
  });

  it('re-wraps session keys, leaves track keys alone, and tracks open with the new KEK only', async () => {
    const a = await ownerActor(deps, 'rec-rot');
    const { sessionId, trackId } = await sessionWithTrack(deps, a);
    const before = await rows(deps, sessionId);
    expect(before.session.kek_id).toBe(oldKek.keyId);
    expect(before.tracks).toHaveLength(1);

    ring.push(newKek);
    const done = await rewrapKeys(deps, { batchSize: 2 });
    expect(done).toMatchObject({ state: 'completed', remaining: 0, failed: 0 });

    const after = await rows(deps, sessionId);
    expect(after.session.kek_id).toBe(newKek.keyId);
    expect(Buffer.from(after.session.wrapped_key)).not.toEqual(
      Buffer.from(before.session.wrapped_key),
    );
    // Track keys are wrapped by the session key, which did not change: untouched.
    expect(after.tracks.map((t: { wrapped_key: Buffer }) => Buffer.from(t.wrapped_key))).toEqual(
      before.tracks.map((t: { wrapped_key: Buffer }) => Buffer.from(t.wrapped_key)),
    );
    // Nothing anywhere is left under the old KEK; with it gone the track still opens.
    const underOld = await withSystem(deps.db, async (tx) => ({
      sessions: await tx('recording_sessions').where({ kek_id: oldKek.keyId }).count('* as n'),
      objects: await tx('objects').where({ kek_id: oldKek.keyId }).count('* as n'),
    }));
    expect(Number(underOld.sessions[0]?.n)).toBe(0);
    expect(Number(underOld.objects[0]?.n)).toBe(0);
    ring.splice(0, 1);
    expect(await buffer(await openSessionTrack(deps, a, sessionId, trackId))).toEqual(audio);
  });
});

const binary = localKmsBinary();

describe.skipIf(!binary && !process.env.CI).each(engines)(
  'session keys under an organization’s own KMS key (local-kms, %s)',
  (engine) => {
    const base = useTestDeps(engine);
    let kms: LocalKms;
    let keys: OrganizationKeyRing;
    // biome-ignore lint/suspicious/noExplicitAny: the test deps with the organization key ring
    const deps: any = new Proxy(base, {
      get: (t, p) => (p === 'keys' ? keys : t[p as keyof typeof t]),
    });
    beforeAll(async () => {
      kms = await startLocalKms(binary as string);
      const ring = new KeyRing(new LocalKek(Buffer.alloc(32, 0x53)));
      keys = new OrganizationKeyRing(ring, kms.client, () => loadOrganizationKeys(base));
      await keys.refresh();
    });
    afterAll(async () => {
      await kms?.stop();
    });

    it('moves existing session keys to it and wraps new ones with it', async () => {
      const a = await ownerActor(deps, 'rec-byok');
      const earlier = await sessionWithTrack(deps, a);
      const arn = await kms.createKey();
      const set = await setOrganizationKey(deps, a, { kmsKeyId: arn });
      expect(set.failed).toBe(0);
      const later = await sessionWithTrack(deps, a);
      for (const s of [earlier, later]) {
        expect((await rows(deps, s.sessionId)).session.kek_id).toBe(`kms:${arn}`);
        expect(await buffer(await openSessionTrack(deps, a, s.sessionId, s.trackId))).toEqual(
          audio,
        );
      }
      // The organization disables its key: its session tracks no longer open.
      await kms.disableKey(arn);
      const code = await openSessionTrack(deps, a, later.sessionId, later.trackId).then(
        () => 'resolved',
        (e: { code?: string }) => e.code,
      );
      expect(code).toBe('key_unavailable');
      await kms.enableKey(arn);
    });
  },
);
