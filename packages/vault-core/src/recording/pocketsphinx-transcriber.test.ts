import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { addParticipant } from './participants.js';
import { PocketsphinxTranscriber } from './pocketsphinx-transcriber.js';
import { createRecordingSession, getRecordingSession } from './recording-sessions.js';
import { addSessionTrack } from './session-tracks.js';
import { setTranscriptSettings } from './transcripts.js';

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// `scripts/setup-system.sh` installs both (Debian `pocketsphinx`, `pocketsphinx-en-us`, `flite`).
const ready = installed('pocketsphinx_continuous') && installed('flite');

describe.skipIf(!ready)('PocketsphinxTranscriber (local, no network)', () => {
  let dir: string;
  let speech: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vm-sphinx-'));
    // Speech from an independent synthesiser (flite), so the reference is the sentence itself.
    const path = join(dir, 'speech.wav');
    execFileSync('flite', ['-t', 'hello world this is a recording session', '-o', path]);
    speech = readFileSync(path);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('transcribes spoken English from any format ffmpeg reads, through pipes', async () => {
    const text = await new PocketsphinxTranscriber().transcribe(Readable.from([speech]));
    expect(text).toMatch(/hello world/);
    expect(text).toMatch(/recording/);
  });

  it('fails on bytes that are not audio', async () => {
    await expect(
      new PocketsphinxTranscriber().transcribe(Readable.from([Buffer.from('not audio at all')])),
    ).rejects.toThrow(/failed/);
  });

  describe('as the vault’s engine', () => {
    const deps = useTestDeps('pglite');
    it('stores the transcript of a session track once the organization turns transcripts on', async () => {
      const ann = await ownerActor(deps, 'speaker');
      await setTranscriptSettings(deps, ann, { enabled: true });
      const session = await createRecordingSession(deps, ann, { title: 'Interview' });
      const host = await addParticipant(deps, ann, session.id, {
        name: 'Ann',
        email: 'ann@example.org',
        role: 'host',
      });
      const engine = new PocketsphinxTranscriber();
      const transcribing = new Proxy(deps, {
        get: (target, prop) =>
          prop === 'transcriber' ? engine : target[prop as keyof typeof target],
      });
      await addSessionTrack(transcribing, ann, {
        sessionId: session.id,
        participantId: host.id,
        open: () => Readable.from([speech]),
      });
      const got = await getRecordingSession(deps, ann, session.id);
      expect(got.tracks[0]?.transcript).toMatch(/hello world/);
    });
  });
});
