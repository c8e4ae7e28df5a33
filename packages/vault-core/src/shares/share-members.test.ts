import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { withTenant } from '../db/transactions.js';
import { authorizeRecipientTrack, openShare } from './recipient-access.js';
import { addShareRecipients, addShareTracks, removeShareTrack } from './share-members.js';
import { createShare, revokeShare } from './shares.js';

describe.each(engines)('changing who and what a share holds on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('adds recipients with their own links and mappings, adds and removes tracks, audited', async () => {
    const ann = await ownerActor(deps, 'members-ann');
    const other = await ownerActor(deps, 'members-other');
    const [a, b, c] = await placeholderTracks(deps, ann, ['Alpha', 'Beta', 'Gamma']);
    const { share, links } = await createShare(deps, ann, {
      trackIds: [a!.id],
      recipients: [{ name: 'Rita', email: 'rita@label.example' }],
    });
    const added = await addShareRecipients(deps, ann, share.id, {
      recipients: [{ name: 'Sam', email: 'SAM@label.example', company: 'Label' }],
      linkBase: 'https://vault.example/s/',
    });
    expect(added.links).toMatchObject([{ name: 'Sam', email: 'sam@label.example', mailed: true }]);
    const sam = added.links[0]!.token;
    expect((await openShare(deps, sam)).tracks.map((t) => t.title)).toEqual(['Alpha']);
    // Sam's copy is mapped (so it can be served and traced).
    await expect(
      authorizeRecipientTrack(deps, sam, a!.id, { kind: 'stream' }),
    ).resolves.toMatchObject({ recipient: { name: 'Sam' } });
    expect(
      await failure(
        addShareRecipients(deps, ann, share.id, {
          recipients: [{ name: 'Rita again', email: 'rita@label.example' }],
        }),
      ),
    ).toEqual(['invalid_input', 'rita@label.example already has a link']);

    expect(await addShareTracks(deps, ann, share.id, { trackIds: [b!.id, c!.id, a!.id] })).toEqual({
      added: [b!.id, c!.id],
    });
    for (const token of [links[0]!.token, sam]) {
      expect((await openShare(deps, token)).tracks.map((t) => t.title)).toEqual([
        'Alpha',
        'Beta',
        'Gamma',
      ]);
      await expect(
        authorizeRecipientTrack(deps, token, c!.id, { kind: 'stream' }),
      ).resolves.toBeDefined();
    }
    await removeShareTrack(deps, ann, share.id, b!.id);
    expect((await openShare(deps, sam)).tracks.map((t) => t.title)).toEqual(['Alpha', 'Gamma']);
    expect(await failure(authorizeRecipientTrack(deps, sam, b!.id, { kind: 'stream' }))).toEqual([
      'not_found',
      'track not found',
    ]);
    // The mapping of the removed track stays for investigations.
    const marks = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('forensic_marks').where({ share_id: share.id, track_id: b!.id }).count({ n: '*' }),
    );
    expect(Number(marks[0]!.n)).toBe(2);
    await removeShareTrack(deps, ann, share.id, c!.id);
    expect(await failure(removeShareTrack(deps, ann, share.id, a!.id))).toEqual([
      'invalid_input',
      'a share keeps at least one track; revoke it instead',
    ]);
    const actions = await auditActions(deps, ann.tenantId);
    expect(actions).toEqual(
      expect.arrayContaining(['share.recipients_add', 'share.tracks_add', 'share.track_remove']),
    );
    // Previews for the new recipient and tracks are queued.
    const queued = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('jobs').where({ queue: 'previews' }).count({ n: '*' }),
    );
    expect(Number(queued[0]!.n)).toBe(3);

    // Another organization cannot see it; a revoked share takes no changes.
    expect(await failure(addShareTracks(deps, other, share.id, { trackIds: [a!.id] }))).toEqual([
      'not_found',
      'share not found',
    ]);
    await revokeShare(deps, ann, share.id);
    expect(
      await failure(
        addShareRecipients(deps, ann, share.id, {
          recipients: [{ name: 'Late', email: 'late@label.example' }],
        }),
      ),
    ).toEqual(['invalid_input', 'the share is no longer active']);
  });
});
