import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { withTenant } from '../db/transactions.js';
import { openShare } from '../shares/recipient-access.js';
import { createShare } from '../shares/shares.js';
import {
  getTrackArtwork,
  recipientTrackArtwork,
  removeTrackArtwork,
  setTrackArtwork,
} from './track-artwork.js';
import { getTrack, updateTrack } from './tracks.js';

/** The smallest valid PNG signature plus some bytes (only the signature is checked). */
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 3)]);

describe.each(engines)('track notes and artwork on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('keeps notes, stores artwork encrypted, replaces and erases it, shows it to recipients of the track only', async () => {
    const ann = await ownerActor(deps, 'art-ann');
    const other = await ownerActor(deps, 'art-other');
    const [tune, plain] = await placeholderTracks(deps, ann, ['Tune', 'Plain']);
    const noted = await updateTrack(deps, ann, tune!.id, {
      notes: '  Verse 2 louder.\r\nBridge: keys\u0007 \n',
    });
    expect(noted).toMatchObject({ notes: 'Verse 2 louder.\nBridge: keys', hasArtwork: false });

    expect(await setTrackArtwork(deps, ann, tune!.id, png)).toEqual({
      contentType: 'image/png',
      sizeBytes: png.length,
    });
    expect((await getTrack(deps, ann, tune!.id)).hasArtwork).toBe(true);
    expect(await getTrackArtwork(deps, ann, tune!.id)).toEqual({
      bytes: png,
      contentType: 'image/png',
    });
    // Stored encrypted: the blob does not hold the image's bytes.
    const first = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('tracks')
        .join('objects', 'objects.id', 'tracks.artwork_object_id')
        .where({ 'tracks.id': tune!.id })
        .first('objects.*'),
    );
    const stored: Buffer[] = [];
    for await (const part of await deps.storage.get(first.storage_key)) stored.push(part as Buffer);
    expect(Buffer.concat(stored).includes(png.subarray(0, 16))).toBe(false);
    // Replaced: the old one is crypto-erased.
    await setTrackArtwork(deps, ann, tune!.id, jpeg);
    expect((await getTrackArtwork(deps, ann, tune!.id)).contentType).toBe('image/jpeg');
    const old = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('objects').where({ id: first.id }).first(),
    );
    expect(old.wrapped_key).toBeNull();

    expect(await failure(setTrackArtwork(deps, ann, tune!.id, Buffer.from('GIF89a....')))).toEqual([
      'invalid_input',
      'artwork must be a PNG, JPEG or WebP image',
    ]);
    expect(await failure(getTrackArtwork(deps, other, tune!.id))).toEqual([
      'not_found',
      'artwork not found',
    ]);
    expect(await failure(setTrackArtwork(deps, other, tune!.id, png))).toEqual([
      'not_found',
      'track not found',
    ]);

    const { links } = await createShare(deps, ann, {
      trackIds: [tune!.id],
      recipients: [{ name: 'Rita', email: 'rita@label.example' }],
    });
    const view = await openShare(deps, links[0]!.token);
    expect(view.tracks[0]).toMatchObject({ title: 'Tune', hasArtwork: true });
    expect((await recipientTrackArtwork(deps, links[0]!.token, tune!.id)).contentType).toBe(
      'image/jpeg',
    );
    await setTrackArtwork(deps, ann, plain!.id, png);
    // A track outside the share is not reachable through the link.
    expect(await failure(recipientTrackArtwork(deps, links[0]!.token, plain!.id))).toEqual([
      'not_found',
      'track not found',
    ]);
    await removeTrackArtwork(deps, ann, tune!.id);
    expect(await failure(getTrackArtwork(deps, ann, tune!.id))).toEqual([
      'not_found',
      'artwork not found',
    ]);
    expect(
      (await auditActions(deps, ann.tenantId)).filter((a) => a === 'track.artwork'),
    ).toHaveLength(4);
  });
});
