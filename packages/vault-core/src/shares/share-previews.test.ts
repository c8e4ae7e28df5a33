import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { encodeWav } from '@vaultmark/analysis';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { testMusic } from '../../test/music.js';
import { deleteTrack, uploadTrack } from '../catalog/tracks.js';
import { withTenant } from '../db/transactions.js';
import { runNextJob } from '../jobs/job-queue.js';
import { purgeDue } from '../lifecycle/purge.js';
import type { Logger } from '../logger.js';
import { MarkedMedia } from '../media/marked-media.js';
import { openRecipientTrack } from './recipient-access.js';
import { sharePreviewsJob } from './share-previews.js';
import { createShare, revokeShare } from './shares.js';

/** A renderer that may not render: what it serves has to come from storage. */
class StoredOnly extends MarkedMedia {
  override renderPreview(): Promise<Buffer> {
    throw new Error('rendered again');
  }
}

describe.each(engines)('stored previews on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('renders every recipient’s marked preview when the share is created, and erases them with the track', {
    timeout: 60_000,
  }, async () => {
    const ann = await ownerActor(deps, 'previews-ann');
    const track = await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(6)))]),
      title: 'Demo',
      originalFileName: 'demo.wav',
    });
    const { links } = await createShare(deps, ann, {
      trackIds: [track.id],
      recipients: ['Rita', 'Sam', 'Tom', 'Uma', 'Val'].map((name) => ({
        name,
        email: `${name.toLowerCase()}@example.org`,
      })),
      previewKbps: 128,
    });
    // Four previews per job; the fifth is a job of its own, queued behind what was waiting.
    const handlers = { previews: sharePreviewsJob(deps) };
    expect(await runNextJob(deps, handlers, 'test-worker')).toBe(true);
    expect(await runNextJob(deps, handlers, 'test-worker')).toBe(true);
    expect(await runNextJob(deps, handlers, 'test-worker')).toBe(false);
    const rows = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('marked_renditions')
        .join('objects', 'objects.id', 'marked_renditions.object_id')
        .select('marked_renditions.*', 'objects.derived_from', 'objects.kind'),
    );
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(5);
    expect(rows.every((r) => r.kbps === 128 && r.format === 'mp3' && r.kind === 'derived')).toBe(
      true,
    );
    const master = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('track_versions').where({ track_id: track.id }).first('object_id'),
    );
    expect(rows.every((r) => r.derived_from === master.object_id)).toBe(true);

    // Another server (nothing in memory) serves the stored preview, byte for byte.
    const other = {
      db: deps.db,
      clock: deps.clock,
      storage: deps.storage,
      keys: deps.keys,
      media: new StoredOnly(),
    };
    const stream = await openRecipientTrack(other, links[1]!.token, track.id, {
      kind: 'stream',
      play: 'start',
    });
    expect(stream.media.contentType).toBe('audio/mpeg');
    const bytes = await buffer(await stream.media.open(0, stream.media.size - 1));
    const sam = rows.find((r) => r.payload === stream.payload)!;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sam.sha256);

    // Deleting the track erases what was rendered from it, in the same transaction.
    await deleteTrack(deps, ann, track.id);
    const erased = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('objects')
        .whereIn(
          'id',
          rows.map((r) => r.object_id),
        )
        .select('wrapped_key'),
    );
    expect(erased.map((r) => r.wrapped_key)).toEqual([null, null, null, null, null]);
  });

  it('reports a preview it cannot render to the logger, with ids and the error only', {
    timeout: 60_000,
  }, async () => {
    const cy = await ownerActor(deps, 'previews-cy');
    const track = await uploadTrack(deps, cy, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(3)))]),
      title: 'Unrenderable',
      originalFileName: 'unrenderable.wav',
    });
    const { links } = await createShare(deps, cy, {
      trackIds: [track.id],
      recipients: [
        { name: 'Xan', email: 'xan@example.org' },
        { name: 'Yul', email: 'yul@example.org' },
      ],
    });
    const logged: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      warn: (event, fields) => logged.push({ level: 'warn', event, ...(fields ? { fields } : {}) }),
      error: (event, fields) =>
        logged.push({ level: 'error', event, ...(fields ? { fields } : {}) }),
    };
    const media = new StoredOnly();
    const failing = new Proxy(deps, {
      get: (target, prop) =>
        prop === 'logger' ? logger : prop === 'media' ? media : Reflect.get(target, prop),
    });
    expect(await runNextJob(failing, { previews: sharePreviewsJob(failing) }, 'test-worker')).toBe(
      true,
    );
    expect(logged).toHaveLength(2);
    for (const entry of logged) {
      expect(entry).toEqual({
        level: 'warn',
        event: 'share.preview_failed',
        fields: {
          tenantId: cy.tenantId,
          masterObjectId: expect.any(String),
          keyId: expect.any(String),
          kbps: expect.any(Number),
          error: { name: 'Error', message: 'rendered again' },
        },
      });
    }
    // Nothing that opens a copy or names a person reaches the log.
    const text = JSON.stringify(logged);
    for (const secret of [...links.map((l) => l.token), 'xan@example.org', 'Xan', 'Yul']) {
      expect(text).not.toContain(secret);
    }
  });

  it('lets the purge erase the previews of a revoked share', { timeout: 60_000 }, async () => {
    const bo = await ownerActor(deps, 'previews-bo');
    const track = await uploadTrack(deps, bo, {
      body: Readable.from([Buffer.from(encodeWav(testMusic(4)))]),
      title: 'Sketch',
      originalFileName: 'sketch.wav',
    });
    const { share } = await createShare(deps, bo, {
      trackIds: [track.id],
      recipients: [{ name: 'Wes', email: 'wes@example.org' }],
    });
    expect(await runNextJob(deps, { previews: sharePreviewsJob(deps) }, 'test-worker')).toBe(true);
    const stored = () =>
      withTenant(deps.db, bo.tenantId, (tx) => tx('marked_renditions').select('object_id'));
    expect(await stored()).toHaveLength(1);
    expect((await purgeDue(deps)).renditions).toBe(0);
    await revokeShare(deps, bo, share.id);
    expect((await purgeDue(deps)).renditions).toBe(1);
    // Its file is gone with the sweep; the record of what was served stays.
    const [kept] = await withTenant(deps.db, bo.tenantId, (tx) =>
      tx('marked_renditions').select('object_id', 'sha256'),
    );
    expect(kept).toMatchObject({
      object_id: null,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
