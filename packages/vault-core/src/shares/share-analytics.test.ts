import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { withTenant } from '../db/transactions.js';
import { mergeRanges } from './listening-ranges.js';
import { authorizeRecipientTrack, openShare, recordPlay } from './recipient-access.js';
import { shareAnalytics } from './share-analytics.js';
import { createShare } from './shares.js';

describe('listening ranges', () => {
  it('merges overlapping and touching stretches', () => {
    expect(
      mergeRanges([
        [20, 50],
        [0, 30],
        [50, 55],
        [80, 90],
      ]),
    ).toEqual([
      [0, 55],
      [80, 90],
    ]);
  });
});

describe.each(engines)('share analytics on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('counts what each recipient really heard of each track, once, with opens and downloads', async () => {
    const ann = await ownerActor(deps, 'stats-ann');
    const other = await ownerActor(deps, 'stats-other');
    const [tune, intro] = await placeholderTracks(deps, ann, ['Tune', 'Intro']);
    await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('tracks').where({ id: tune!.id }).update({ duration_seconds: 100 }),
    );
    const { share, links } = await createShare(deps, ann, {
      trackIds: [tune!.id, intro!.id],
      recipients: [
        { name: 'Rita', email: 'rita@label.example' },
        { name: 'Sam', email: 'sam@label.example' },
      ],
      allowDownload: true,
    });
    const rita = links[0]!.token;
    const opened = deps.clock.now();
    await openShare(deps, rita);
    deps.clock.advance(60_000);
    await openShare(deps, rita);
    // First session: the first 30 s. Second: back to 20 s, to 50 s, then a skip to 80-90 s.
    await recordPlay(deps, rita, tune!.id, 30, {}, [[0, 30]]);
    await recordPlay(deps, rita, tune!.id, 40, {}, [
      [20, 50],
      [80, 90],
    ]);
    // A report without stretches counts as heard from the start: nothing new here.
    await recordPlay(deps, rita, tune!.id, 10);
    // Past the end is cut at the track's length.
    await recordPlay(deps, rita, tune!.id, 5, {}, [[98, 103]]);
    await authorizeRecipientTrack(deps, rita, tune!.id, { kind: 'download' });
    const stats = await shareAnalytics(deps, ann, share.id);
    const [r, s] = stats.recipients;
    expect(r).toMatchObject({
      name: 'Rita',
      opens: 2,
      firstOpenedAt: opened,
      lastOpenedAt: new Date(opened.getTime() + 60_000),
    });
    expect(r!.tracks.map((t) => t.title)).toEqual(['Intro', 'Tune']);
    expect(r!.tracks[1]).toMatchObject({
      listenedSeconds: 62,
      listenedFraction: 0.62,
      listenedRanges: [
        [0, 50],
        [80, 90],
        [98, 100],
      ],
      sessions: 4,
      downloads: 1,
    });
    expect(r!.tracks[0]).toMatchObject({ listenedSeconds: 0, listenedFraction: null, sessions: 0 });
    expect(s).toMatchObject({ name: 'Sam', opens: 0, firstOpenedAt: null });
    expect(s!.tracks.every((t) => t.listenedSeconds === 0 && t.downloads === 0)).toBe(true);

    expect(await failure(shareAnalytics(deps, other, share.id))).toEqual([
      'not_found',
      'share not found',
    ]);
    expect(await failure(recordPlay(deps, rita, tune!.id, 5, {}, [[10, 5]]))).toEqual([
      'invalid_input',
      'each range must be [from, to] seconds, from < to',
    ]);
  });
});
