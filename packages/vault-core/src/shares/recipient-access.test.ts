import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import {
  authorizeRecipientTrack,
  openShare,
  SHARE_GRANT_TTL_MS,
  unlockShare,
} from './recipient-access.js';
import { createShare, getShare, revokeShare } from './shares.js';
import { UNLOCK_THROTTLE } from './unlock-throttle.js';

const PASSWORD = 'listen-carefully-2026';

describe.each(engines)('recipient access on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('needs the password once, then a 12-hour grant bound to the recipient', async () => {
    const ann = await ownerActor(deps, 'pw-ann');
    const [t] = await placeholderTracks(deps, ann, ['Locked']);
    const { share, links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [
        { name: 'Rita', email: 'rita@example.org' },
        { name: 'Sam', email: 'sam@example.org' },
      ],
      password: PASSWORD,
      allowDownload: true,
    });
    const [rita, sam] = links;
    expect(share.passwordProtected).toBe(true);
    await expect(openShare(deps, rita!.token)).rejects.toMatchObject({ code: 'password_required' });
    await expect(
      authorizeRecipientTrack(deps, rita!.token, t!.id, { kind: 'stream', grant: 'vmg_forged' }),
    ).rejects.toMatchObject({ code: 'password_required' });
    await expect(
      unlockShare(deps, rita!.token, 'wrong-password', { ipHash: 'ip-a' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    const { grant, expiresAt } = await unlockShare(deps, rita!.token, PASSWORD, { ipHash: 'ip-a' });
    expect(grant).toMatch(/^vmg_/);
    expect(expiresAt.getTime() - deps.clock.now().getTime()).toBe(SHARE_GRANT_TTL_MS);
    expect((await openShare(deps, rita!.token, { grant })).recipient.name).toBe('Rita');
    const copy = await authorizeRecipientTrack(deps, rita!.token, t!.id, {
      kind: 'download',
      grant,
    });
    expect(copy.recipient.name).toBe('Rita');
    // Rita's grant does not open Sam's link.
    await expect(openShare(deps, sam!.token, { grant })).rejects.toMatchObject({
      code: 'password_required',
    });
    const detail = await getShare(deps, ann, share.id);
    expect(detail.accessLog.map((e) => e.kind).sort()).toEqual([
      'downloaded',
      'opened',
      'password_failed',
    ]);
    deps.clock.advance(SHARE_GRANT_TTL_MS);
    await expect(openShare(deps, rita!.token, { grant })).rejects.toMatchObject({
      code: 'password_required',
    });
    // Revocation ends the grant with the link.
    const again = await unlockShare(deps, rita!.token, PASSWORD, { ipHash: 'ip-a' });
    await revokeShare(deps, ann, share.id);
    expect(await failure(openShare(deps, rita!.token, { grant: again.grant }))).toEqual([
      'share_unavailable',
      'this link is not valid',
    ]);
  });

  it('throttles guessing per address without locking out another address', async () => {
    const ann = await ownerActor(deps, 'pw-throttle');
    const [t] = await placeholderTracks(deps, ann, ['Guarded']);
    const { links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [{ name: 'Rita', email: 'rita@example.org' }],
      password: PASSWORD,
    });
    const token = links[0]!.token;
    const free = UNLOCK_THROTTLE.perIp.free;
    // Concurrent guesses from one address: each is counted before it is checked.
    const guesses = await Promise.all(
      Array.from({ length: free + 2 }, (_, i) =>
        failure(unlockShare(deps, token, `guess-number-${i}`, { ipHash: 'attacker' })),
      ),
    );
    expect(guesses.filter((g) => g?.[0] === 'invalid_credentials')).toHaveLength(free);
    expect(guesses.filter((g) => g?.[0] === 'rate_limited')).toHaveLength(2);
    // Even the right password is refused from the locked address until the wait is over...
    const locked = await unlockShare(deps, token, PASSWORD, { ipHash: 'attacker' }).catch((e) => e);
    expect(locked).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30 });
    // ...while the recipient, behind another address, gets in at once.
    await unlockShare(deps, token, PASSWORD, { ipHash: 'recipient-home' });
    deps.clock.advance(31_000);
    await expect(
      unlockShare(deps, token, 'yet-another-guess', { ipHash: 'attacker' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    // The wait doubles with every further failure.
    const next = await unlockShare(deps, token, 'and-another', { ipHash: 'attacker' }).catch(
      (e) => e,
    );
    expect(next).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
  });

  it('never exceeds the download limit under concurrent requests', async () => {
    const ann = await ownerActor(deps, 'dl-race');
    const [t] = await placeholderTracks(deps, ann, ['Raced']);
    const max = 3;
    const { share, links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [{ name: 'Rita', email: 'rita@example.org' }],
      allowDownload: true,
      maxDownloads: max,
    });
    const results = await Promise.all(
      Array.from({ length: max + 1 }, () =>
        authorizeRecipientTrack(deps, links[0]!.token, t!.id, { kind: 'download' }).then(
          () => 'ok',
          (e) => e.code as string,
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(max);
    expect(results.filter((r) => r === 'limit_reached')).toHaveLength(1);
    const detail = await getShare(deps, ann, share.id);
    expect(detail.recipients[0]).toMatchObject({ downloads: max });
    expect(detail.accessLog.filter((e) => e.kind === 'downloaded')).toHaveLength(max);
    expect((await openShare(deps, links[0]!.token)).downloadsLeft).toBe(0);
  });
});
