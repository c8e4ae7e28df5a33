import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { decryptOrganizationExport, exportOrganization } from '../lifecycle/organization-export.js';
import { addParticipant } from './participants.js';
import { createRecordingSession, deleteRecordingSession } from './recording-sessions.js';
import { addSessionTrack } from './session-tracks.js';
import { TestTranscriber } from './transcriber.js';
import { setTranscriptSettings } from './transcripts.js';

const passphrase = 'correct horse battery';

describe.each(engines)('recording sessions in the organization export on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('exports sessions, participants, events, transcripts as text and each track’s audio', async () => {
    const transcribing = new Proxy(deps, {
      get: (target, prop) =>
        prop === 'transcriber' ? new TestTranscriber() : target[prop as keyof typeof target],
    });
    const ann = await ownerActor(deps, 'rec-export');
    await setTranscriptSettings(deps, ann, { enabled: true });
    const session = await createRecordingSession(deps, ann, { title: 'Exported take' });
    const p = await addParticipant(deps, ann, session.id, {
      name: 'Eli',
      email: 'eli@example.org',
      role: 'engineer',
    });
    const audio = Buffer.from(`RIFF${'e'.repeat(6000)}`);
    const track = await addSessionTrack(transcribing, ann, {
      sessionId: session.id,
      participantId: p.id,
      open: () => Readable.from([audio]),
      originalFileName: 'Eli.WAV',
    });
    // An erased session is not exported.
    const gone = await createRecordingSession(deps, ann, { title: 'Erased take' });
    await deleteRecordingSession(deps, ann, gone.id);

    const tar = await buffer(
      decryptOrganizationExport(
        Readable.from([await buffer(await exportOrganization(deps, ann, { passphrase }))]),
        passphrase,
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'vm-recx-'));
    try {
      writeFileSync(join(dir, 'x.tar'), tar);
      expect(spawnSync('tar', ['-xf', 'x.tar'], { cwd: dir }).status).toBe(0);
      const path = `recordings/${session.id}/${track.id}.wav`;
      expect(readFileSync(join(dir, path)).equals(audio)).toBe(true);
      const manifest = JSON.parse(readFileSync(join(dir, 'organization.json'), 'utf8'));
      expect(manifest.recordingSessions).toEqual([
        expect.objectContaining({ id: session.id, title: 'Exported take' }),
      ]);
      expect(manifest.recordingParticipants).toEqual([
        expect.objectContaining({ id: p.id, name: 'Eli', email: 'eli@example.org' }),
      ]);
      expect(manifest.recordingEvents.map((e: { kind: string }) => e.kind)).toEqual([
        'invited',
        'completed',
      ]);
      expect(manifest.recordingTracks).toEqual([
        expect.objectContaining({
          id: track.id,
          path,
          transcript: `test transcript of ${audio.length} bytes`,
          transcript_engine: 'test',
        }),
      ]);
      expect(JSON.stringify(manifest)).not.toMatch(/wrapped_key|kek_id|secret_hash|Erased take/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
