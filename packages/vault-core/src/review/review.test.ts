import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { allMail, memberOf, studioOwner } from '../../test/review.js';
import { placeholderTracks } from '../../test/shares.js';
import { addTrackVersion, deleteTrack } from '../catalog/tracks.js';
import { withSystem, withTenant } from '../db/transactions.js';
import { exportAccount } from '../lifecycle/export.js';
import { listNotifications } from '../notifications/feed.js';
import type { Actor } from '../policies.js';
import { updateShare } from '../shares/share-update.js';
import { createShare } from '../shares/shares.js';
import { deleteComment } from './delete-comment.js';
import { editComment } from './edit-comment.js';
import { listApprovals } from './list-approvals.js';
import { listComments } from './list-comments.js';
import { postComment } from './post-comment.js';
import {
  recipientApprove,
  recipientComment,
  recipientDeleteComment,
  recipientEditComment,
  recipientFeedback,
  recipientReview,
} from './recipient-review.js';
import { recordApproval } from './record-approval.js';
import { resolveComment } from './resolve-comment.js';

describe.each(engines)('review on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('comments at a point and over a range, threads, mentions, edit, delete and resolve', async () => {
    const ann = await studioOwner(deps, 'rvann');
    const bob = await memberOf(deps, ann, 'rvbob', 'member');
    const [t] = await placeholderTracks(deps, ann, ['Demo']);
    const point = await postComment(deps, bob, t!.id, {
      body: 'Kick too loud here, @rvann please check',
      atSeconds: 12.5,
    });
    expect(point).toMatchObject({
      atSeconds: 12.5,
      endSeconds: null,
      author: { kind: 'member', name: 'rvbob' },
      mentions: [{ userId: ann.userId, name: 'rvann' }],
      version: { number: 1, current: true },
    });
    const range = await postComment(deps, ann, t!.id, {
      body: 'Lovely bridge',
      atSeconds: 30,
      endSeconds: 45,
    });
    expect(range.endSeconds).toBe(45);
    deps.clock.advance(1000);
    const reply = await postComment(deps, ann, t!.id, { body: 'Fixed', parentId: point.id });
    // A reply joins the thread and takes its position.
    expect(reply).toMatchObject({ parentId: point.id, atSeconds: 12.5 });
    // A reply to a reply lands in the same thread.
    deps.clock.advance(1000);
    const deeper = await postComment(deps, bob, t!.id, { body: 'Thanks', parentId: reply.id });
    expect(deeper.parentId).toBe(point.id);

    await expect(
      postComment(deps, bob, t!.id, { body: 'x', atSeconds: 5, endSeconds: 4 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(postComment(deps, bob, t!.id, { body: '  ', atSeconds: 1 })).rejects.toMatchObject(
      {
        code: 'invalid_input',
      },
    );

    const threads = await listComments(deps, ann, t!.id);
    expect(threads.map((c) => [c.body, c.replies.map((r) => r.body)])).toEqual([
      ['Kick too loud here, @rvann please check', ['Fixed', 'Thanks']],
      ['Lovely bridge', []],
    ]);
    expect(threads[0]!.mine).toBe(false);

    // Only the author edits or deletes.
    await expect(editComment(deps, ann, point.id, { body: 'mine now' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const edited = await editComment(deps, bob, point.id, { body: 'Kick too loud' });
    expect(edited).toMatchObject({ body: 'Kick too loud', mentions: [] });
    expect(edited.editedAt).not.toBeNull();
    await expect(deleteComment(deps, ann, point.id)).rejects.toMatchObject({ code: 'forbidden' });

    // Resolve and reopen: the track's creator or an admin, not another member.
    await expect(resolveComment(deps, bob, point.id)).rejects.toMatchObject({ code: 'forbidden' });
    expect((await resolveComment(deps, ann, reply.id)).resolvedAt).not.toBeNull();
    expect((await listComments(deps, bob, t!.id))[0]!.resolvedAt).not.toBeNull();
    expect((await resolveComment(deps, ann, point.id, false)).resolvedAt).toBeNull();

    await deleteComment(deps, bob, point.id);
    expect((await listComments(deps, ann, t!.id)).map((c) => c.body)).toEqual(['Lovely bridge']);
    const actions = await auditActions(deps, ann.tenantId);
    for (const a of [
      'review.comment',
      'review.comment_edit',
      'review.comment_resolve',
      'review.comment_reopen',
      'review.comment_delete',
    ]) {
      expect(actions).toContain(a);
    }

    // Another tenant sees nothing and changes nothing.
    const eve = await ownerActor(deps, 'rveve');
    for (const call of [
      () => listComments(deps, eve, t!.id),
      () => postComment(deps, eve, t!.id, { body: 'hi', atSeconds: 1 }),
      () => editComment(deps, eve, range.id, { body: 'x' }),
      () => deleteComment(deps, eve, range.id),
      () => resolveComment(deps, eve, range.id),
      () => recordApproval(deps, eve, t!.id, { decision: 'approved' }),
      () => listApprovals(deps, eve, t!.id),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'not_found' });
    }
  });

  it('approvals belong to a version and start again on a new one; old comments keep theirs', async () => {
    const ann = await studioOwner(deps, 'apann');
    const bob = await memberOf(deps, ann, 'apbob', 'member');
    const [t] = await placeholderTracks(deps, ann, ['Single']);
    await postComment(deps, bob, t!.id, { body: 'Vocal late', atSeconds: 3 });
    await recordApproval(deps, bob, t!.id, { decision: 'changes_requested', note: 'vocal' });
    deps.clock.advance(60_000);
    const a = await recordApproval(deps, bob, t!.id, { decision: 'approved' });
    const v1 = await listApprovals(deps, ann, t!.id);
    expect(v1.items).toHaveLength(1);
    expect(v1.items[0]).toMatchObject({ decision: 'approved', note: null, id: a.id });
    await expect(
      recordApproval(deps, bob, t!.id, { decision: 'maybe' as 'approved' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });

    await addTrackVersion(deps, ann, t!.id, {
      body: Readable.from([Buffer.from('second mix')]),
      originalFileName: 'Single v2.wav',
    });
    const v2 = await listApprovals(deps, ann, t!.id);
    expect(v2).toMatchObject({ version: { number: 2, current: true }, items: [] });
    expect(
      (await listApprovals(deps, ann, t!.id, { versionId: v1.version.id })).items,
    ).toHaveLength(1);
    const comments = await listComments(deps, ann, t!.id);
    expect(comments[0]!.version).toMatchObject({ number: 1, current: false });
    await postComment(deps, bob, t!.id, { body: 'Better', atSeconds: 3 });
    expect((await listComments(deps, ann, t!.id)).map((c) => [c.body, c.version.number])).toEqual([
      ['Better', 2],
      ['Vocal late', 1],
    ]);
    expect(await listComments(deps, ann, t!.id, { versionId: v1.version.id })).toHaveLength(1);
  });

  it('recipients comment and approve under their share identity only when the share allows feedback', async () => {
    const ann = await ownerActor(deps, 'rcann');
    const [t, other] = await placeholderTracks(deps, ann, ['Shared', 'Private']);
    const { share, links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [
        { name: 'Rita', email: 'rita@example.org' },
        { name: 'Sam', email: 'sam@example.org' },
      ],
    });
    const [rita, sam] = links;
    expect(share.allowFeedback).toBe(false);
    await expect(
      recipientComment(deps, rita!.token, t!.id, { body: 'hi', atSeconds: 1 }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(await recipientFeedback(deps, rita!.token)).toEqual({
      allowFeedback: false,
      tracks: {},
    });

    await updateShare(deps, ann, share.id, { allowFeedback: true });
    const c = await recipientComment(
      deps,
      rita!.token,
      t!.id,
      { body: 'Chorus drags', atSeconds: 40, endSeconds: 52 },
      { ipHash: 'h-rita' },
    );
    expect(c.author).toEqual({ kind: 'recipient', name: 'Rita' });
    await recipientApprove(deps, rita!.token, t!.id, { decision: 'approved', note: 'Great' });
    await recipientComment(deps, sam!.token, t!.id, { body: 'Sam here', atSeconds: 2 });
    await expect(
      recipientComment(deps, rita!.token, other!.id, { body: 'x', atSeconds: 1 }),
    ).rejects.toMatchObject({ code: 'not_found' });

    // The owner sees all; a reply reaches the recipient's thread.
    const threads = await listComments(deps, ann, t!.id);
    expect(threads.map((x) => x.author.name).sort()).toEqual(['Rita', 'Sam']);
    await postComment(deps, ann, t!.id, { body: 'Will fix', parentId: c.id });
    // Sam cannot reply in Rita's thread.
    await expect(
      recipientComment(deps, sam!.token, t!.id, { body: 'me too', parentId: c.id }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const mine = await recipientReview(deps, rita!.token, t!.id);
    expect(mine.comments.map((x) => [x.body, x.replies.map((r) => r.body)])).toEqual([
      ['Chorus drags', ['Will fix']],
    ]);
    expect(mine.approvals.items.map((x) => [x.reviewer.name, x.decision])).toEqual([
      ['Rita', 'approved'],
    ]);
    // A recipient edits and deletes their own comments only; another's is not found to them.
    const samNote = await recipientComment(deps, sam!.token, t!.id, { body: 'typo', atSeconds: 3 });
    expect(
      (await recipientEditComment(deps, sam!.token, samNote.id, { body: 'Fixed typo' })).body,
    ).toBe('Fixed typo');
    await expect(
      recipientEditComment(deps, sam!.token, c.id, { body: 'mine' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(recipientDeleteComment(deps, sam!.token, c.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await recipientDeleteComment(deps, sam!.token, samNote.id);
    const page = await recipientFeedback(deps, sam!.token);
    expect(page.allowFeedback).toBe(true);
    expect(page.tracks[t!.id]!.comments.map((x) => x.body)).toEqual(['Sam here']);
    expect((await listApprovals(deps, ann, t!.id)).items[0]).toMatchObject({
      reviewer: { kind: 'recipient', name: 'Rita' },
      note: 'Great',
    });
  });

  it('exports comments and approvals and erases them with the track and the account', async () => {
    const ann = await studioOwner(deps, 'exann');
    const [t, u] = await placeholderTracks(deps, ann, ['Kept', 'Gone']);
    await postComment(deps, ann, t!.id, { body: 'keep me', atSeconds: 1 });
    await recordApproval(deps, ann, t!.id, { decision: 'approved' });
    await postComment(deps, ann, u!.id, { body: 'gone with the track', atSeconds: 1 });
    const bundle = (await exportAccount(deps, ann.userId)) as {
      organizations: Array<Record<string, Array<Record<string, unknown>>>>;
    };
    const org = bundle.organizations.find((o) => (o.id as unknown) === ann.tenantId)!;
    expect(org.reviewComments!.map((c) => c.body).sort()).toEqual([
      'gone with the track',
      'keep me',
    ]);
    expect(org.reviewApprovals!.map((a) => a.decision)).toEqual(['approved']);
    await deleteTrack(deps, ann, u!.id);
    const left = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('review_comments').pluck('body'),
    );
    expect(left).toEqual(['keep me']);
    // A member's comments in another organization go with their account.
    const bob = await memberOf(deps, ann, 'exbob', 'member');
    await postComment(deps, bob, t!.id, { body: 'by bob', atSeconds: 2 });
    await withSystem(deps.db, (tx) => tx('users').where({ id: bob.userId }).del());
    expect(
      await withTenant(deps.db, ann.tenantId, (tx) => tx('review_comments').pluck('body')),
    ).toEqual(['keep me']);
  });

  it('tells the track creator, the thread author and those mentioned, in the feed and by email', async () => {
    const ann = await studioOwner(deps, 'ntann');
    const bob = await memberOf(deps, ann, 'ntbob', 'member');
    const cy = await memberOf(deps, ann, 'ntcy', 'member');
    const [t] = await placeholderTracks(deps, ann, ['Hook']);
    const { share, links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [{ name: 'Rita', email: 'rita@example.org' }],
      allowFeedback: true,
    });
    expect(share.allowFeedback).toBe(true);
    const c = await recipientComment(deps, links[0]!.token, t!.id, {
      body: 'Bridge is long',
      atSeconds: 62,
      endSeconds: 75,
    });
    deps.clock.advance(1000);
    await recipientApprove(deps, links[0]!.token, t!.id, { decision: 'approved' });
    deps.clock.advance(1000);
    await postComment(deps, bob, t!.id, { body: 'Agree, @ntcy can you trim it?', parentId: c.id });
    const summaries = async (who: Actor) =>
      (await listNotifications(deps, who)).items.map((n) => [n.kind, n.summary]);
    expect(await summaries(ann)).toEqual([
      ['review.reply', 'ntbob replied on "Hook" at 1:02–1:15: Agree, @ntcy can you trim it?'],
      ['review.approval', 'Rita approved "Hook" (version 1)'],
      ['review.comment', 'Rita commented on "Hook" at 1:02–1:15: Bridge is long'],
    ]);
    expect(await summaries(cy)).toEqual([
      [
        'review.mention',
        'ntbob mentioned you on "Hook" at 1:02–1:15: Agree, @ntcy can you trim it?',
      ],
    ]);
    // Nobody hears of their own words.
    expect(await summaries(bob)).toEqual([]);
    await vi.waitFor(() =>
      expect(allMail(deps).filter((m) => m.includes('ntbob mentioned you on "Hook"'))).toHaveLength(
        1,
      ),
    );
  });
});
