import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { openShare } from './recipient-access.js';
import { updateShare } from './share-update.js';
import { createShare, revokeShare } from './shares.js';

const DAY = 86_400_000;

describe.each(engines)('changing a share on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('extends an expired share, switches downloads and limits, with one audit event each', async () => {
    const ann = await ownerActor(deps, 'update-ann');
    const [track] = await placeholderTracks(deps, ann, ['Tune']);
    const { share, links } = await createShare(deps, ann, {
      trackIds: [track!.id],
      recipients: [{ name: 'Rita', email: 'rita@label.example' }],
      expiresAt: new Date(deps.clock.now().getTime() + DAY),
    });
    deps.clock.advance(2 * DAY);
    expect(await failure(openShare(deps, links[0]!.token))).toEqual([
      'share_unavailable',
      'this link is not valid',
    ]);

    const later = new Date(deps.clock.now().getTime() + 7 * DAY);
    const changed = await updateShare(deps, ann, share.id, {
      expiresAt: later.toISOString(),
      allowDownload: true,
      maxDownloads: 3,
      title: '  Second round ',
    });
    expect(changed).toMatchObject({
      status: 'active',
      expiresAt: later,
      allowDownload: true,
      maxDownloads: 3,
      title: 'Second round',
    });
    // The same link works again, with the new rules.
    expect(await openShare(deps, links[0]!.token)).toMatchObject({
      allowDownload: true,
      downloadsLeft: 3,
    });
    const shorter = await updateShare(deps, ann, share.id, { maxDownloads: null, note: '' });
    expect(shorter).toMatchObject({ maxDownloads: null, note: null, allowDownload: true });

    expect(
      await failure(
        updateShare(deps, ann, share.id, { expiresAt: new Date(deps.clock.now().getTime() - 1) }),
      ),
    ).toEqual(['invalid_input', 'expiry must be within the next 90 days, after the share opens']);
    expect(
      await failure(
        updateShare(deps, ann, share.id, {
          expiresAt: new Date(deps.clock.now().getTime() + 400 * DAY),
        }),
      ),
    ).toEqual(['invalid_input', 'expiry must be within the next 90 days, after the share opens']);
    expect((await failure(updateShare(deps, ann, share.id, { maxDownloads: 0 })))?.[0]).toBe(
      'invalid_input',
    );

    // Another member of the organization may read the share but not change it.
    const member = { ...ann, userId: crypto.randomUUID(), role: 'member' as const };
    expect(
      (await failure(updateShare(deps, member, share.id, { allowDownload: false })))?.[0],
    ).toBe('forbidden');
    await revokeShare(deps, ann, share.id);
    expect(await failure(updateShare(deps, ann, share.id, { allowDownload: false }))).toEqual([
      'invalid_input',
      'a revoked share cannot be changed',
    ]);
    expect((await auditActions(deps, ann.tenantId)).filter((a) => a.startsWith('share.'))).toEqual([
      'share.create',
      'share.update',
      'share.opened',
      'share.update',
      'share.revoke',
    ]);
  });
});
