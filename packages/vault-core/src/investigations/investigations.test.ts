import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { encodeAudioFile, encodeWav, readWav } from '@vaultmark/analysis';
import { detect, embed } from '@vaultmark/watermark';
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, type TestDeps, useTestDeps } from '../../test/deps.js';
import { testMusic } from '../../test/music.js';
import { uploadTrack } from '../catalog/tracks.js';
import { runNextJob } from '../jobs/job-queue.js';
import type { Actor } from '../policies.js';
import { authorizeRecipientTrack, recordPlay } from '../shares/recipient-access.js';
import { createShare } from '../shares/shares.js';
import { rotateWatermarkKey } from '../shares/watermark-keys.js';
import { getInvestigation, listInvestigations, startInvestigation } from './investigations.js';
import { runInvestigation } from './run-investigation.js';

const dir = mkdtempSync(join(tmpdir(), 'vm-investigation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The MP3 at `path` decoded by ffmpeg to a 16-bit WAV. */
async function decodeToWav(path: string): Promise<Uint8Array> {
  const out = `${path}.wav`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path, out]);
  return new Uint8Array(readFileSync(out));
}

async function runJobs(deps: TestDeps): Promise<void> {
  const handlers = { investigation: runInvestigation.bind(null, deps) };
  while (await runNextJob(deps, handlers, 'test-worker')) {
    // run until the queue is empty
  }
}

async function investigate(deps: TestDeps, actor: Actor, file: string) {
  const started = await startInvestigation(deps, actor, { file, fileName: 'found.mp3' });
  expect(started.status).toBe('queued');
  await runJobs(deps);
  return getInvestigation(deps, actor, started.id);
}

describe.each(engines)('leak investigations on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('names the recipient whose marked copy leaked, and no one else', {
    timeout: 120_000,
  }, async () => {
    const ann = await ownerActor(deps, 'inv-ann');
    const master = testMusic(24);
    const track = await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from(encodeWav(master))]),
      title: 'Unreleased',
      originalFileName: 'unreleased.wav',
    });
    const { share, links } = await createShare(deps, ann, {
      title: 'Preview',
      trackIds: [track.id],
      recipients: [
        { name: 'Rita Honest', email: 'rita@example.org' },
        { name: 'Sam Leaker', email: 'sam@example.org', company: 'Leaky Records' },
      ],
    });
    const sam = links[1]!;
    await recordPlay(deps, sam.token, track.id, 24, { ipHash: 'sam-ip' });
    // What the server does for Sam: decode the master and embed his payload with the key given.
    const copy = await authorizeRecipientTrack(deps, sam.token, track.id, { kind: 'stream' });
    const decoded = readWav(new Uint8Array(await buffer(await copy.master.open())));
    const marked = embed(
      { sampleRate: decoded.sampleRate, channels: decoded.channels },
      { key: copy.key, payload: copy.payload },
    );
    // The key is rotated after sharing: the copy marked with the old key is still identified.
    await rotateWatermarkKey(deps, ann);
    const leak = join(dir, `leak-${engine}.mp3`);
    // ffmpeg's MP3 encoder at its default 128 kbps.
    await encodeAudioFile(leak, marked);

    const done = await investigate(deps, ann, leak);
    expect(done.status).toBe('done');
    expect(done.progress).toBe(1);
    const result = done.result!;
    expect(result).toMatchObject({ identified: true, inconclusive: false, keysSearched: 2 });
    expect(result.matches).toHaveLength(1);
    const m = result.matches[0]!;
    expect(m).toMatchObject({
      trackId: track.id,
      trackTitle: 'Unreleased',
      shareId: share.id,
      recipient: {
        id: sam.recipientId,
        name: 'Sam Leaker',
        email: 'sam@example.org',
        company: 'Leaky Records',
      },
      payload: copy.payload,
      keyId: copy.keyId,
    });
    expect(m.falsePositiveProbability).toBeLessThanOrEqual(1e-9);
    expect(m.accessHistory.map((e) => [e.kind, e.positionSeconds])).toEqual([['played', 24]]);
    expect(JSON.stringify(result)).not.toContain('rita@example.org');
    expect((await listInvestigations(deps, ann)).map((i) => i.id)).toEqual([done.id]);

    // A spliced copy, Rita's first half and Sam's second half: both are named, each with its
    // own bound, and the offsets say where each copy sits.
    const ritaCopy = await authorizeRecipientTrack(deps, links[0]!.token, track.id, {
      kind: 'stream',
    });
    const ritaMarked = embed(
      {
        sampleRate: decoded.sampleRate,
        channels: readWav(new Uint8Array(await buffer(await ritaCopy.master.open()))).channels,
      },
      { key: ritaCopy.key, payload: ritaCopy.payload },
    );
    const cut = Math.round(12 * decoded.sampleRate);
    const spliced = {
      sampleRate: decoded.sampleRate,
      channels: ritaMarked.channels.map((ch, c) => {
        const out = new Float32Array(ch);
        out.set((marked.channels[c] as Float32Array).subarray(cut), cut);
        return out;
      }),
    };
    const splicedFile = join(dir, `spliced-${engine}.mp3`);
    await encodeAudioFile(splicedFile, spliced);
    const both = (await investigate(deps, ann, splicedFile)).result!;
    expect(both.identified).toBe(true);
    expect(both.matches.map((x) => x.recipient.name).sort()).toEqual(['Rita Honest', 'Sam Leaker']);
    for (const x of both.matches) expect(x.falsePositiveProbability).toBeLessThanOrEqual(1e-9);
    expect(await auditActions(deps, ann.tenantId)).toEqual(
      expect.arrayContaining(['investigation.create', 'investigation.complete']),
    );

    // Another organization, with shares and keys of its own, learns nothing from the same file.
    const bob = await ownerActor(deps, 'inv-bob');
    const bobTrack = await uploadTrack(deps, bob, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(3, 44_100, 99)))]),
      title: 'Bob',
    });
    await createShare(deps, bob, {
      trackIds: [bobTrack.id],
      recipients: [{ name: 'X', email: 'x@example.org' }],
    });
    const other = await investigate(deps, bob, leak);
    expect(other.result).toMatchObject({
      identified: false,
      inconclusive: false,
      reason: 'no_match',
      matches: [],
      keysSearched: 1,
    });
    expect(JSON.stringify(other)).not.toMatch(/Sam|Rita|Unreleased|sam@|rita@/);
    await expect(getInvestigation(deps, bob, done.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('names the recipient of a copy too damaged to decode, among the payloads it issued', {
    timeout: 120_000,
  }, async () => {
    const ann = await ownerActor(deps, 'inv-weak');
    const track = await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(30, 44_100, 5)))]),
      title: 'Voice memo leak',
    });
    const { links } = await createShare(deps, ann, {
      trackIds: [track.id],
      recipients: [
        { name: 'Rita Honest', email: 'rita@example.org' },
        { name: 'Sam Leaker', email: 'sam@example.org' },
      ],
    });
    const copy = await authorizeRecipientTrack(deps, links[1]!.token, track.id, { kind: 'stream' });
    const decoded = readWav(new Uint8Array(await buffer(await copy.master.open())));
    // Sam's copy re-encoded as a voice message would be, MP3 at 32 kbps: too little of the mark
    // survives on this material to decode it blind.
    const weak = embed(decoded, { key: copy.key, payload: copy.payload });
    const wav = join(dir, `weak-${engine}.wav`);
    await encodeAudioFile(wav, weak);
    const leak = join(dir, `weak-${engine}.mp3`);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      wav,
      '-c:a',
      'libmp3lame',
      '-b:a',
      '32k',
      leak,
    ]);
    const blind = detect(readWav(await decodeToWav(leak)), { keys: [copy.key] });

    const result = (await investigate(deps, ann, leak)).result!;
    expect(result.identified).toBe(true);
    expect(result.matches.map((m) => m.recipient.name)).toEqual(['Sam Leaker']);
    const m = result.matches[0]!;
    expect(m.payload).toBe(copy.payload);
    expect(m.falsePositiveProbability).toBeLessThanOrEqual(1e-9);
    // Not decodable blind, found by matching: the result says so, and against how many issued
    // payloads (2 here).
    expect(blind.found).toBe(false);
    expect(m.detection).toMatchObject({ method: 'candidate', candidates: 2 });
  });

  it('refuses what is not audio, too large, or too frequent', async () => {
    const cara = await ownerActor(deps, 'inv-cara');
    const track = await uploadTrack(deps, cara, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(1)))]),
      title: 'Short',
    });
    await createShare(deps, cara, {
      trackIds: [track.id],
      recipients: [{ name: 'R', email: 'r@example.org' }],
    });
    const notAudio = join(dir, `notes-${engine}.txt`);
    writeFileSync(notAudio, 'this is not audio at all, only text '.repeat(20));
    const failed = await investigate(deps, cara, notAudio);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'the file could not be decoded as audio',
      result: null,
    });
    // Too short to search: a clear reason, not a guess.
    const tiny = join(dir, `tiny-${engine}.wav`);
    writeFileSync(tiny, encodeWav(testMusic(1)));
    expect((await investigate(deps, cara, tiny)).result).toMatchObject({
      identified: false,
      reason: 'audio_too_short',
    });

    const ports = { db: deps.db, clock: deps.clock, storage: deps.storage, keys: deps.keys };
    const limited = { ...ports, investigations: { maxBytes: 100, perHour: 100 } };
    await expect(
      startInvestigation(limited, cara, { file: notAudio, sizeBytes: 101 }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'file' });
    await expect(startInvestigation(limited, cara, { file: notAudio })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'file',
    });
    await expect(
      startInvestigation(limited, cara, { file: join(dir, 'missing.mp3') }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'file' });
    // Two investigations so far this hour: a cap of two refuses the third until an hour passed.
    const throttled = { ...ports, investigations: { maxBytes: 1000, perHour: 2 } };
    await expect(
      startInvestigation(throttled, cara, { file: Readable.from([Buffer.from('x')]) }),
    ).rejects.toMatchObject({ code: 'rate_limited' });
    deps.clock.advance(3600_000);
    await startInvestigation(throttled, cara, { file: Readable.from([Buffer.from('x')]) });
    await expect(
      startInvestigation(
        deps,
        { ...cara, role: 'member', tenantId: cara.tenantId },
        {
          file: Readable.from([]),
        },
      ),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'file' });
  });
});
