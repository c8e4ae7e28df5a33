import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { withSystem } from '../db/transactions.js';
import type { Actor } from '../policies.js';
import { createFolder, deleteFolder, listFolders } from './folders.js';
import {
  addTrackVersion,
  deleteTrack,
  getTrack,
  listTracks,
  listTrackVersions,
  openTrackAudio,
  recordTrackAnalysis,
  updateTrack,
  uploadTrack,
} from './tracks.js';

const audio = (s: string) => Readable.from([Buffer.from(s)]);

describe.each(engines)('catalog on %s', (engine) => {
  const deps = useTestDeps(engine);
  let ann: Actor;
  beforeAll(async () => {
    ann = await ownerActor(deps, 'ann');
  });

  it('searches every word in title, artist, file name, key, Camelot code and tags', async () => {
    const ann = await ownerActor(deps, 'searcher');
    const drive = await uploadTrack(deps, ann, {
      body: audio('a'),
      title: 'Search Drive',
      tags: ['Synthwave'],
    });
    deps.clock.advance(1000);
    const dawn = await uploadTrack(deps, ann, {
      body: audio('b'),
      title: 'Search Dawn',
      artist: 'Kai',
    });
    await recordTrackAnalysis(deps, ann.tenantId, drive.id, { status: 'done', key: 'A minor' });
    await recordTrackAnalysis(deps, ann.tenantId, dawn.id, { status: 'done', key: 'C major' });
    // The Camelot code is kept with the analysis of the track's current version.
    await withSystem(deps.db, (tx) =>
      tx('track_analyses').insert(
        [
          [drive, '8A'],
          [dawn, '8B'],
        ].map(([track, camelot]) => ({
          tenant_id: ann.tenantId,
          track_id: (track as { id: string }).id,
          version: 1,
          details: JSON.stringify({ camelot }),
          peaks: '{}',
          created_at: new Date(),
        })),
      ),
    );
    const found = async (q: string) =>
      (await listTracks(deps, ann, { q })).items.map((t) => t.title).sort();
    expect(await found('minor')).toEqual(['Search Drive']);
    expect(await found('8a')).toEqual(['Search Drive']);
    expect(await found('8B')).toEqual(['Search Dawn']);
    expect(await found('synth')).toEqual(['Search Drive']);
    expect(await found('search kai')).toEqual(['Search Dawn']);
    expect(await found('search  major')).toEqual(['Search Dawn']);
    expect(await found('search')).toEqual(['Search Dawn', 'Search Drive']);
    expect(await found('minor kai')).toEqual([]);
    const order = async (sort: 'newest' | 'oldest' | 'title' | 'bpm') =>
      (await listTracks(deps, ann, { sort })).items.map((t) => t.title);
    expect(await order('newest')).toEqual(['Search Dawn', 'Search Drive']);
    expect(await order('oldest')).toEqual(['Search Drive', 'Search Dawn']);
    expect(await order('title')).toEqual(['Search Dawn', 'Search Drive']);
    await recordTrackAnalysis(deps, ann.tenantId, dawn.id, { status: 'done', bpm: 90 });
    await recordTrackAnalysis(deps, ann.tenantId, drive.id, { status: 'done', bpm: 128 });
    expect(await order('bpm')).toEqual(['Search Dawn', 'Search Drive']);
    expect(
      (await listTracks(deps, ann, { bpmMin: 100, sort: 'bpm' })).items.map((t) => t.title),
    ).toEqual(['Search Drive']);
  });

  it('uploads, encrypts at rest, searches, versions, updates and deletes with audit events', async () => {
    const folder = await createFolder(deps, ann, { name: 'Demos' });
    const t = await uploadTrack(deps, ann, {
      body: audio('RIFF-first-mix'),
      originalFileName: '../../etc/Night Drive (mix 3).wav',
      artist: 'Ann',
      tags: ['Demo', 'demo', 'night'],
      folderId: folder.id,
    });
    expect(t).toMatchObject({
      title: 'Night Drive (mix 3)',
      originalFileName: 'Night Drive (mix 3).wav',
      tags: ['demo', 'night'],
      analysisStatus: 'pending',
      version: 1,
      folderId: folder.id,
    });
    // The store holds ciphertext only.
    const objects = await withSystem(deps.db, (tx) =>
      tx('objects').where({ tenant_id: ann.tenantId }),
    );
    const raw = await buffer(await deps.storage.get(objects[0].storage_key));
    expect(raw.includes(Buffer.from('first-mix'))).toBe(false);
    const { stream } = await openTrackAudio(deps, ann, t.id);
    expect((await buffer(stream)).toString()).toBe('RIFF-first-mix');

    await uploadTrack(deps, ann, { body: audio('x'), title: '100% Pure_Joy', artist: 'Bob' });
    expect((await listTracks(deps, ann, { q: 'night' })).items.map((x) => x.id)).toEqual([t.id]);
    expect((await listTracks(deps, ann, { q: '%' })).items.map((x) => x.title)).toEqual([
      '100% Pure_Joy',
    ]);
    expect((await listTracks(deps, ann, { q: '_' })).total).toBe(1);
    expect((await listTracks(deps, ann, { tag: 'NIGHT' })).total).toBe(1);
    expect((await listTracks(deps, ann, { folderId: folder.id })).total).toBe(1);
    expect((await listTracks(deps, ann, { folderId: null })).total).toBe(1);
    expect((await listTracks(deps, ann, { limit: 1 })).items).toHaveLength(1);

    await recordTrackAnalysis(deps, ann.tenantId, t.id, {
      status: 'done',
      bpm: 120,
      key: 'A minor',
      durationSeconds: 187.5,
    });
    expect((await listTracks(deps, ann, { bpmMin: 119, bpmMax: 121, key: 'A minor' })).total).toBe(
      1,
    );

    const v2 = await addTrackVersion(deps, ann, t.id, {
      body: audio('RIFF-second-mix'),
      originalFileName: 'nd4.wav',
    });
    expect(v2).toMatchObject({ version: 2, analysisStatus: 'pending' });
    expect((await buffer((await openTrackAudio(deps, ann, t.id)).stream)).toString()).toBe(
      'RIFF-second-mix',
    );
    expect((await buffer((await openTrackAudio(deps, ann, t.id, 1)).stream)).toString()).toBe(
      'RIFF-first-mix',
    );
    expect((await listTrackVersions(deps, ann, t.id)).map((v) => v.version)).toEqual([2, 1]);

    const updated = await updateTrack(deps, ann, t.id, { title: 'Night Drive', bpm: 121 });
    expect(updated).toMatchObject({ title: 'Night Drive', bpm: 121, key: 'A minor' });
    await expect(updateTrack(deps, ann, t.id, { bpm: -3 })).rejects.toMatchObject({
      code: 'invalid_input',
    });

    await deleteFolder(deps, ann, folder.id);
    expect((await getTrack(deps, ann, t.id)).folderId).toBeNull();
    expect(await listFolders(deps, ann)).toEqual([]);

    const keys = (
      await withSystem(deps.db, (tx) => tx('objects').where({ tenant_id: ann.tenantId }))
    ).map((o) => o.storage_key as string);
    const before = await buffer(await deps.storage.get(keys[0] as string));
    await deleteTrack(deps, ann, t.id);
    await expect(getTrack(deps, ann, t.id)).rejects.toMatchObject({ code: 'not_found' });
    // Crypto-erasure: the data keys are gone, so even a surviving copy of the blob is noise.
    const erased = await withSystem(deps.db, (tx) =>
      tx('objects').where({ storage_key: keys[0] }).first(),
    );
    expect(erased.wrapped_key).toBeNull();
    expect(erased.erased_at).not.toBeNull();
    expect(before.length).toBeGreaterThan(16);

    expect(await auditActions(deps, ann.tenantId)).toEqual([
      'account.register',
      'folder.create',
      'object.write',
      'track.create',
      'object.read',
      'object.write',
      'track.create',
      'track.analysis',
      'object.write',
      'track.version',
      'object.read',
      'object.read',
      'track.update',
      'folder.delete',
      'track.delete',
    ]);
  });

  it('a failed upload leaves neither rows nor blobs', async () => {
    const before = await withSystem(deps.db, (tx) =>
      tx('objects').count<{ n: string }[]>({ n: '*' }),
    );
    await expect(
      uploadTrack(deps, ann, {
        body: audio('x'),
        folderId: '00000000-0000-4000-8000-000000000000',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const after = await withSystem(deps.db, (tx) =>
      tx('objects').count<{ n: string }[]>({ n: '*' }),
    );
    expect(after[0]?.n).toBe(before[0]?.n);
    const keys: string[] = [];
    for await (const k of deps.storage.list(`t/${ann.tenantId}/`)) keys.push(k);
    const rows = await withSystem(deps.db, (tx) =>
      tx('objects').where({ tenant_id: ann.tenantId }).pluck('storage_key'),
    );
    expect(keys.filter((k) => !rows.includes(k))).toEqual([]);
  });
});
