import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { lastMail } from '../../test/review.js';
import { placeholderTracks } from '../../test/shares.js';
import { tone } from '../../test/tone.js';
import { createFolder } from '../catalog/folders.js';
import { uploadTrack } from '../catalog/tracks.js';
import { useGuestToken } from '../tenancy/guest-tokens.js';
import {
  inviteGuest,
  listGuestInvitations,
  listGuestUses,
  revokeGuestInvitation,
} from './guest-invitations.js';
import {
  guestApprove,
  guestAudio,
  guestComment,
  guestDeleteComment,
  guestEditComment,
  guestReview,
  guestView,
} from './guest-review.js';
import { requestGuestCode, signInGuest } from './guest-sign-in.js';
import { listApprovals } from './list-approvals.js';
import { listComments } from './list-comments.js';
import { postComment } from './post-comment.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'vm-guest-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wav = readFileSync(tone(dir, 'one.wav', { seconds: 2 }));

describe.each(engines)('guest reviewers on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('are invited by email, sign in by link and emailed code, review only their scope, and are revoked', async () => {
    const ann = await ownerActor(deps, 'giann');
    const folder = await createFolder(deps, ann, { name: 'Album' });
    const inside = await uploadTrack(deps, ann, {
      body: Readable.from([wav]),
      title: 'Inside',
      folderId: folder.id,
    });
    const [outside] = await placeholderTracks(deps, ann, ['Outside']);
    const expiresAt = new Date(deps.clock.now().getTime() + 7 * DAY);
    await expect(
      inviteGuest(
        deps,
        { ...ann, role: 'member' },
        {
          name: 'Mo',
          email: 'mo@example.org',
          scope: { folderId: folder.id },
          expiresAt,
          linkBase: 'https://vault.example/guest#',
        },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const { invitation, url, mailed } = await inviteGuest(deps, ann, {
      name: 'Mo Mixer',
      email: 'Mo@Example.org',
      scope: { folderId: folder.id },
      expiresAt,
      linkBase: 'https://vault.example/guest#',
    });
    expect(mailed).toBe(true);
    expect(invitation).toMatchObject({ name: 'Mo Mixer', email: 'mo@example.org', uses: 0 });
    expect(lastMail(deps)).toContain(url);
    const link = url.slice(url.indexOf('#') + 1);

    // The link alone opens nothing, neither as a plain guest token.
    await expect(useGuestToken(deps, link)).rejects.toMatchObject({ code: 'session_invalid' });
    await expect(signInGuest(deps, link, '000000')).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(await requestGuestCode(deps, link, { ipHash: 'ip-mo' })).toEqual({
      email: 'm…@example.org',
    });
    const code = /code is (\d{6})/.exec(lastMail(deps))?.[1] as string;
    const wrong = code === '123456' ? '654321' : '123456';
    await expect(signInGuest(deps, link, wrong)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    const { session, name } = await signInGuest(deps, link, code, { ipHash: 'ip-mo' });
    expect(name).toBe('Mo Mixer');
    // A code works once.
    await expect(signInGuest(deps, link, code)).rejects.toMatchObject({
      code: 'invalid_credentials',
    });

    expect((await guestView(deps, session)).tracks.map((t) => t.title)).toEqual(['Inside']);
    const copy = await guestAudio(deps, session, inside.id, { ipHash: 'ip-mo' });
    expect(copy.media.contentType).toBe('audio/wav');
    await expect(guestAudio(deps, session, outside!.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    const c = await guestComment(
      deps,
      session,
      inside.id,
      { body: 'Snare is dull', atSeconds: 0.5, endSeconds: 1.5 },
      { ipHash: 'ip-mo' },
    );
    expect(c.author).toEqual({ kind: 'guest', name: 'Mo Mixer' });
    const extra = await guestComment(deps, session, inside.id, { body: 'tpyo', atSeconds: 1 });
    expect((await guestEditComment(deps, session, extra.id, { body: 'typo' })).body).toBe('typo');
    await guestDeleteComment(deps, session, extra.id);
    await guestApprove(deps, session, inside.id, { decision: 'changes_requested' });
    await expect(
      guestComment(deps, session, outside!.id, { body: 'x', atSeconds: 1 }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await postComment(deps, ann, inside.id, { body: 'Brightened', parentId: c.id });
    const own = await guestReview(deps, session, inside.id);
    expect(own.comments[0]!.replies.map((r) => r.body)).toEqual(['Brightened']);
    expect((await listApprovals(deps, ann, inside.id)).items[0]).toMatchObject({
      reviewer: { kind: 'guest', name: 'Mo Mixer' },
      decision: 'changes_requested',
    });
    expect((await listComments(deps, ann, inside.id))[0]!.author.name).toBe('Mo Mixer');

    // Every use is logged with its time and hashed address, and shown to the organization.
    const uses = await listGuestUses(deps, ann, invitation.id);
    expect(uses.map((u) => u.action)).toContain('guest.sign_in');
    expect(uses.filter((u) => u.action === 'guest_token.use').length).toBeGreaterThanOrEqual(6);
    expect(uses.some((u) => u.ipHash === 'ip-mo')).toBe(true);
    expect((await listGuestInvitations(deps, ann))[0]!.uses).toBeGreaterThanOrEqual(6);

    // Another tenant sees none of it.
    const eve = await ownerActor(deps, 'gieve');
    expect(await listGuestInvitations(deps, eve)).toEqual([]);
    await expect(listGuestUses(deps, eve, invitation.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(revokeGuestInvitation(deps, eve, invitation.id)).rejects.toMatchObject({
      code: 'not_found',
    });

    await revokeGuestInvitation(deps, ann, invitation.id);
    await expect(guestView(deps, session)).rejects.toMatchObject({ code: 'session_invalid' });
    await expect(requestGuestCode(deps, link)).rejects.toMatchObject({ code: 'session_invalid' });
    const actions = await auditActions(deps, ann.tenantId);
    for (const a of ['guest.invite', 'guest.code', 'guest.sign_in', 'guest.revoke']) {
      expect(actions).toContain(a);
    }
  });
});
