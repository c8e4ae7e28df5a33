import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { encodeWav } from '@vaultmark/analysis';
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, type TestDeps, useTestDeps } from '../../test/deps.js';
import { testMusic } from '../../test/music.js';
import { uploadTrack } from '../catalog/tracks.js';
import { getInvestigation, startInvestigation } from '../investigations/investigations.js';
import { runInvestigation } from '../investigations/run-investigation.js';
import { runNextJob } from '../jobs/job-queue.js';
import { exportWatermarkKeys, importWatermarkKeys } from './key-escrow.js';
import { openRecipientTrack } from './recipient-access.js';
import { createShare } from './shares.js';

const dir = mkdtempSync(join(tmpdir(), 'vm-escrow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASSPHRASE = 'correct horse battery staple';

describe.each(engines)('watermark key escrow on %s', (engine) => {
  const before = useTestDeps(engine);
  const after = useTestDeps(engine);

  it('lets a vault restored elsewhere trace a copy marked before the export', {
    timeout: 120_000,
  }, async () => {
    const ann = await ownerActor(before, 'escrow-ann');
    const track = await uploadTrack(before, ann, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(24)))]),
      title: 'Unreleased',
      originalFileName: 'unreleased.wav',
    });
    const { links } = await createShare(before, ann, {
      trackIds: [track.id],
      recipients: [{ name: 'Sam Leaker', email: 'sam@example.org' }],
      allowDownload: true,
    });
    const copy = await openRecipientTrack(before, links[0]!.token, track.id, { kind: 'download' });
    const leak = join(dir, `leak-${engine}.wav`);
    writeFileSync(leak, await buffer(await copy.media.open(0, copy.media.size - 1)));
    const file = await exportWatermarkKeys(before, ann, { passphrase: PASSPHRASE });
    expect(file.includes(Buffer.from('sam@example.org'))).toBe(false);
    expect(await auditActions(before, ann.tenantId)).toContain('watermark_key.export');

    // Another vault: nothing of the first but the escrow file.
    const bo = await ownerActor(after, 'escrow-bo');
    await expect(
      importWatermarkKeys(after, bo, { file, passphrase: 'not the passphrase at all' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const altered = Buffer.from(file);
    altered[40] = (altered[40] ?? 0) ^ 1;
    await expect(
      importWatermarkKeys(after, bo, { file: altered, passphrase: PASSPHRASE }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await importWatermarkKeys(after, bo, { file, passphrase: PASSPHRASE })).toEqual({
      keys: 1,
      marks: 1,
    });
    expect(await importWatermarkKeys(after, bo, { file, passphrase: PASSPHRASE })).toEqual({
      keys: 0,
      marks: 0,
    });
    expect(await auditActions(after, bo.tenantId)).toContain('watermark_key.import');

    const started = await startInvestigation(after, bo, { file: leak, fileName: 'found.wav' });
    const handlers = { investigation: runInvestigation.bind(null, after as TestDeps) };
    while (await runNextJob(after, handlers, 'test-worker')) {
      // until the queue is empty
    }
    const found = await getInvestigation(after, bo, started.id);
    expect(found.result?.identified).toBe(true);
    expect(
      found.result?.matches.map((m) => [m.subject, m.recipient.name, m.recipient.email]),
    ).toEqual([['recipient', 'Sam Leaker', 'sam@example.org']]);
  });

  it('is for owners only', async () => {
    const cy = await ownerActor(before, 'escrow-cy');
    await expect(
      exportWatermarkKeys(before, { ...cy, role: 'admin' }, { passphrase: PASSPHRASE }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(exportWatermarkKeys(before, cy, { passphrase: 'short' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
