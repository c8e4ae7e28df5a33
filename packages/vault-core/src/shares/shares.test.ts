import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { createFolder } from '../catalog/folders.js';
import { withTenant } from '../db/transactions.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import { requestOrganizationDeletion } from '../lifecycle/deletion.js';
import { authorizeRecipientTrack, openShare, recordPlay } from './recipient-access.js';
import { replaceShareLink, resendShareLink } from './share-links.js';
import { getShareSettings, setShareSettings } from './share-settings.js';
import { createShare, getShare, listShares, revokeShare } from './shares.js';
import { listWatermarkKeys, rotateWatermarkKey } from './watermark-keys.js';

const DAY = 86_400_000;
const two = [
  { name: 'Rita Recipient', email: 'rita@label.example', company: 'Label' },
  { name: 'Sam Second', email: 'sam@press.example' },
];

describe.each(engines)('shares on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('creates a share with one link per recipient, opens, plays, expires and revokes', async () => {
    const ann = await ownerActor(deps, 'share-ann');
    const [one, two_] = await placeholderTracks(deps, ann, ['One', 'Two']);
    const { share, links } = await createShare(deps, ann, {
      title: 'Album preview',
      trackIds: [one!.id, two_!.id],
      recipients: two,
      note: 'First listen',
      maxPlays: 3,
    });
    expect(share).toMatchObject({
      status: 'active',
      trackCount: 2,
      recipientCount: 2,
      allowDownload: false,
      passwordProtected: false,
    });
    // Default expiry: the organization's default (14 days).
    expect(share.expiresAt.getTime() - deps.clock.now().getTime()).toBe(14 * DAY);
    expect(links.map((l) => l.email)).toEqual(['rita@label.example', 'sam@press.example']);
    for (const l of links) expect(l.token).toMatch(/^vml_[A-Za-z0-9_-]{43}$/);
    // Tokens are stored only as hashes.
    const stored = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('share_recipients').where({ share_id: share.id }).pluck('token_hash'),
    );
    for (const h of stored)
      expect(links.some((l) => Buffer.from(h).toString().includes(l.token))).toBe(false);

    const view = await openShare(deps, links[0]!.token, { ipHash: 'h1', userAgent: 'UA/1' });
    expect(view).toMatchObject({
      title: 'Album preview',
      note: 'First listen',
      allowDownload: false,
      recipient: { name: 'Rita Recipient' },
      playsLeft: 3,
      downloadsLeft: 0,
    });
    expect(view.tracks.map((t) => t.title)).toEqual(['One', 'Two']);

    const copy = await authorizeRecipientTrack(deps, links[0]!.token, one!.id, { kind: 'stream' });
    expect((await buffer(await copy.master.open())).toString()).toBe('audio of One');
    expect(copy).toMatchObject({
      downloadFileName: 'One.wav',
      originalFileName: 'One.wav',
      recipient: { name: 'Rita Recipient' },
    });
    expect(copy.payload).toMatch(/^[0-9a-f]{32}$/);
    expect(copy.key.secret).toHaveLength(32);
    await expect(
      authorizeRecipientTrack(deps, links[0]!.token, one!.id, { kind: 'download' }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    // The server counts a play when it serves the start of the audio; seeks are not counted.
    const play = (trackId: string, how: 'start' | 'continue') =>
      authorizeRecipientTrack(deps, links[0]!.token, trackId, { kind: 'stream', play: how });
    await play(one!.id, 'start');
    await play(one!.id, 'continue');
    expect(await recordPlay(deps, links[0]!.token, one!.id, 42.5, { ipHash: 'h1' })).toEqual({
      playsLeft: 2,
    });
    await play(two_!.id, 'start');
    await recordPlay(deps, links[0]!.token, two_!.id, 10);
    await play(two_!.id, 'start');
    await recordPlay(deps, links[0]!.token, two_!.id, 200);
    await expect(play(one!.id, 'start')).rejects.toMatchObject({ code: 'limit_reached' });
    await expect(
      authorizeRecipientTrack(deps, links[0]!.token, one!.id, { kind: 'stream' }),
    ).rejects.toMatchObject({ code: 'limit_reached' });
    await expect(recordPlay(deps, links[1]!.token, one!.id, -1)).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'positionSeconds',
    });

    const detail = await getShare(deps, ann, share.id);
    expect(detail.tracks.map((t) => t.title)).toEqual(['One', 'Two']);
    const rita = detail.recipients.find((r) => r.name === 'Rita Recipient');
    expect(rita).toMatchObject({ plays: 3, downloads: 0, company: 'Label' });
    expect(rita?.lastAccessAt).toEqual(deps.clock.now());
    expect(detail.accessLog.map((e) => [e.kind, e.positionSeconds]).sort()).toEqual(
      [
        ['opened', null],
        ['played', 10],
        ['played', 200],
        ['played', 42.5],
      ].sort(),
    );
    expect(detail.accessLog.find((e) => e.kind === 'opened')).toMatchObject({
      ipHash: 'h1',
      userAgent: 'UA/1',
      recipientId: rita?.id,
    });
    expect((await listShares(deps, ann)).map((s) => s.id)).toEqual([share.id]);

    // Revoking one recipient leaves the other's link working; revoking the share ends both.
    await revokeShare(deps, ann, share.id, { recipientId: rita!.id });
    await expect(openShare(deps, links[0]!.token)).rejects.toMatchObject({
      code: 'share_unavailable',
    });
    await openShare(deps, links[1]!.token);
    await revokeShare(deps, ann, share.id);
    await expect(openShare(deps, links[1]!.token)).rejects.toMatchObject({
      code: 'share_unavailable',
    });
    expect((await getShare(deps, ann, share.id)).status).toBe('revoked');
    const actions = await auditActions(deps, ann.tenantId);
    for (const a of [
      'share.create',
      'watermark_key.create',
      'share.opened',
      'share.played',
      'share.revoke',
    ]) {
      expect(actions).toContain(a);
    }
  });

  it('shares a folder, validates input by field, and enforces the expiry settings', async () => {
    const ann = await ownerActor(deps, 'share-folder');
    const folder = await createFolder(deps, ann, { name: 'EP' });
    await placeholderTracks(deps, ann, ['B side', 'A side'], folder.id);
    const { share } = await createShare(deps, ann, {
      folderId: folder.id,
      recipients: [two[0]!],
    });
    expect(share.trackCount).toBe(2);

    const bad = async (input: object, field: string) =>
      expect(
        createShare(deps, ann, { folderId: folder.id, recipients: two, ...input }),
      ).rejects.toMatchObject({ code: 'invalid_input', field });
    await bad({ recipients: [] }, 'recipients');
    await bad({ recipients: [{ name: '', email: 'a@b.example' }] }, 'recipients[0].name');
    await bad({ recipients: [{ name: 'X', email: 'nope' }] }, 'recipients[0].email');
    await bad({ recipients: [two[0], two[0]] }, 'recipients[1].email');
    await bad({ trackIds: ['x'] }, 'trackIds');
    await bad({ folderId: null, trackIds: [] }, 'trackIds');
    await bad({ password: 'short' }, 'password');
    await bad({ maxDownloads: 0 }, 'maxDownloads');
    await bad({ expiresAt: 'soon' }, 'expiresAt');
    await bad({ expiresAt: new Date(deps.clock.now().getTime() + 91 * DAY) }, 'expiresAt');
    await bad({ expiresAt: new Date(deps.clock.now().getTime() - 1) }, 'expiresAt');
    await bad(
      {
        activatesAt: new Date(deps.clock.now().getTime() + 5 * DAY),
        expiresAt: new Date(deps.clock.now().getTime() + 4 * DAY),
      },
      'activatesAt',
    );
    await bad({ notify: { linkBase: 'javascript:alert(1)' } }, 'notify.linkBase');

    expect(await getShareSettings(deps, ann)).toEqual({ defaultExpiryDays: 14, maxExpiryDays: 90 });
    await expect(
      setShareSettings(
        deps,
        { ...ann, role: 'member' },
        { defaultExpiryDays: 7, maxExpiryDays: 30 },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      setShareSettings(deps, ann, { defaultExpiryDays: 40, maxExpiryDays: 30 }),
    ).rejects.toMatchObject({ field: 'defaultExpiryDays' });
    await setShareSettings(deps, ann, { defaultExpiryDays: 7, maxExpiryDays: 30 });
    const short = await createShare(deps, ann, { folderId: folder.id, recipients: two });
    expect(short.share.expiresAt.getTime() - deps.clock.now().getTime()).toBe(7 * DAY);
    await bad({ expiresAt: new Date(deps.clock.now().getTime() + 31 * DAY) }, 'expiresAt');
    expect(await auditActions(deps, ann.tenantId)).toContain('share.settings');
  });

  it('answers unknown, expired, scheduled, revoked and deleting links alike', async () => {
    const ann = await ownerActor(deps, 'share-alike');
    const [t] = await placeholderTracks(deps, ann, ['Alike']);
    const now = deps.clock.now().getTime();
    const make = (input: object = {}) =>
      createShare(deps, ann, { trackIds: [t!.id], recipients: [two[0]!], ...input });
    const expired = await make({ expiresAt: new Date(now + DAY) });
    const scheduled = await make({ activatesAt: new Date(now + 2 * DAY) });
    const revoked = await make();
    await revokeShare(deps, ann, revoked.share.id);
    const live = await make({ expiresAt: new Date(now + 3 * DAY) });
    deps.clock.advance(DAY);

    const expected = ['share_unavailable', 'this link is not valid'];
    for (const token of [
      'vml_unknown-token-of-the-right-shape-0000000000000',
      'short',
      expired.links[0]!.token,
      scheduled.links[0]!.token,
      revoked.links[0]!.token,
    ]) {
      expect(await failure(openShare(deps, token))).toEqual(expected);
      expect(
        await failure(authorizeRecipientTrack(deps, token, t!.id, { kind: 'stream' })),
      ).toEqual(expected);
      expect(await failure(recordPlay(deps, token, t!.id, 1))).toEqual(expected);
    }
    // Activation: the scheduled link works once its time has come.
    deps.clock.advance(DAY);
    await openShare(deps, scheduled.links[0]!.token);
    // A track outside the share is not found, like a track that does not exist.
    const [outside] = await placeholderTracks(deps, ann, ['Outside']);
    await expect(
      authorizeRecipientTrack(deps, live.links[0]!.token, outside!.id, { kind: 'stream' }),
    ).rejects.toMatchObject({ code: 'not_found' });

    // An organization pending deletion: its links stop at once.
    await openShare(deps, live.links[0]!.token);
    await requestOrganizationDeletion(deps, ann);
    expect(await failure(openShare(deps, live.links[0]!.token))).toEqual(expected);
  });

  it('re-sends the same link; replacing a link rotates it, and a re-send then mails the new one', async () => {
    const ann = await ownerActor(deps, 'share-resend');
    const [t] = await placeholderTracks(deps, ann, ['Resent']);
    const { share, links } = await createShare(deps, ann, {
      title: 'Single',
      trackIds: [t!.id],
      recipients: [two[0]!],
      notify: { linkBase: 'https://vault.example/s/' },
    });
    expect(links[0]!.mailed).toBe(true);
    const base = 'https://vault.example/s/';
    const ids = { shareId: share.id, recipientId: links[0]!.recipientId, linkBase: base };
    const outbox = () =>
      readdirSync(deps.outbox).map((f) => readFileSync(join(deps.outbox, f), 'utf8'));
    const mailsWith = (url: string) =>
      outbox().filter((m) => m.includes(url) && m.includes('rita@label.example')).length;

    // Re-send: the very link the recipient already has, mailed again; it still opens.
    const again = await resendShareLink(deps, ann, ids);
    expect(again).toMatchObject({ token: links[0]!.token, mailed: true, replaced: false });
    expect(again.url).toBe(`${base}${links[0]!.token}`);
    expect(mailsWith(again.url)).toBe(2);
    await openShare(deps, links[0]!.token);

    // Replace: a new link; the old one stops at once; a re-send afterwards mails the new one.
    const replaced = await replaceShareLink(deps, ann, ids);
    expect(replaced).toMatchObject({ mailed: true, replaced: true });
    expect(replaced.token).not.toBe(links[0]!.token);
    expect(mailsWith(replaced.url)).toBe(1);
    await expect(openShare(deps, links[0]!.token)).rejects.toMatchObject({
      code: 'share_unavailable',
    });
    await openShare(deps, replaced.token);
    const third = await resendShareLink(deps, ann, ids);
    expect(third).toMatchObject({ token: replaced.token, replaced: false });
    expect(mailsWith(replaced.url)).toBe(2);

    // A link made before links had a nonce keeps working, and a re-send replaces it once.
    await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('share_recipients').where({ id: links[0]!.recipientId }).update({ token_nonce: null }),
    );
    await openShare(deps, replaced.token);
    const legacy = await resendShareLink(deps, ann, ids);
    expect(legacy.replaced).toBe(true);
    expect(legacy.token).not.toBe(replaced.token);
    await expect(openShare(deps, replaced.token)).rejects.toMatchObject({
      code: 'share_unavailable',
    });
    await openShare(deps, legacy.token);
    expect((await resendShareLink(deps, ann, ids)).token).toBe(legacy.token);
    const actions = await auditActions(deps, ann.tenantId);
    expect(actions).toContain('share.resend');
    expect(actions).toContain('share.link_replace');

    // A mail port that fails does not undo the share: the caller learns the link was not mailed.
    const broken = {
      db: deps.db,
      clock: deps.clock,
      keys: deps.keys,
      auditSigner: deps.auditSigner,
      mailer: { send: () => Promise.reject(new Error('smtp down')) },
    };
    const unmailed = await createShare(broken, ann, {
      trackIds: [t!.id],
      recipients: [two[1]!],
      notify: { linkBase: 'https://vault.example/s/' },
    });
    expect(unmailed.links[0]!.mailed).toBe(false);
    // A re-send whose mail fails says so and changes nothing.
    expect(await resendShareLink(broken, ann, ids)).toMatchObject({
      token: legacy.token,
      mailed: false,
      replaced: false,
    });
    await openShare(deps, legacy.token);
    await openShare(deps, unmailed.links[0]!.token);
    // Another member may not re-send or revoke someone else's share; another tenant sees nothing.
    const bob = await ownerActor(deps, 'share-resend-bob');
    await expect(
      resendShareLink(deps, bob, {
        shareId: share.id,
        recipientId: links[0]!.recipientId,
        linkBase: 'https://x.example/',
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(replaceShareLink(deps, bob, ids)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getShare(deps, bob, share.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(revokeShare(deps, bob, share.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await listShares(deps, bob)).toEqual([]);
    expect(await auditActions(deps, ann.tenantId)).toContain('share.resend');
  });

  it('gives every (recipient, track) its own payload, mapped and kept across key rotation', async () => {
    const ann = await ownerActor(deps, 'share-marks');
    const tracks = await placeholderTracks(deps, ann, ['M1', 'M2']);
    const first = await createShare(deps, ann, {
      trackIds: tracks.map((t) => t.id),
      recipients: two,
    });
    const payloads = new Map<string, string>();
    for (const l of first.links) {
      for (const t of tracks) {
        const copy = await authorizeRecipientTrack(deps, l.token, t.id, { kind: 'stream' });
        payloads.set(`${l.recipientId}/${t.id}`, copy.payload);
      }
    }
    expect(new Set(payloads.values()).size).toBe(4);
    const marks = await withTenant(deps.db, ann.tenantId, (tx) => tx('forensic_marks'));
    expect(marks).toHaveLength(4);
    for (const m of marks) {
      expect(payloads.get(`${m.recipient_id}/${m.track_id}`)).toBe(m.payload);
      expect(new Date(m.retain_until).getTime() - new Date(m.created_at).getTime()).toBe(
        FORENSIC_RETENTION_MS,
      );
      expect(m.share_id).toBe(first.share.id);
    }
    // Concurrent first shares of a new organization still make exactly one current key.
    const fresh_ = await ownerActor(deps, 'share-marks-race');
    const [ft] = await placeholderTracks(deps, fresh_, ['Race']);
    await Promise.all(
      [0, 1, 2].map(() => createShare(deps, fresh_, { trackIds: [ft!.id], recipients: [two[0]!] })),
    );
    expect(await listWatermarkKeys(deps, fresh_)).toHaveLength(1);
    const [oldKey] = await listWatermarkKeys(deps, ann);
    expect(oldKey).toMatchObject({ current: true });
    await expect(rotateWatermarkKey(deps, { ...ann, role: 'member' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const newKey = await rotateWatermarkKey(deps, ann);
    const keys = await listWatermarkKeys(deps, ann);
    expect(keys.map((k) => [k.id, k.current])).toEqual([
      [newKey.id, true],
      [oldKey!.id, false],
    ]);
    // The existing share keeps serving copies marked with the key its mapping records.
    const again = await authorizeRecipientTrack(deps, first.links[0]!.token, tracks[0]!.id, {
      kind: 'stream',
    });
    expect(again.keyId).toBe(oldKey!.id);
    expect(again.key.name).toBe(oldKey!.id);
    const second = await createShare(deps, ann, { trackIds: [tracks[0]!.id], recipients: two });
    const fresh = await authorizeRecipientTrack(deps, second.links[0]!.token, tracks[0]!.id, {
      kind: 'stream',
    });
    expect(fresh.keyId).toBe(newKey.id);
    // Stored secrets are wrapped by the KEK, never in the clear.
    const rows = await withTenant(deps.db, ann.tenantId, (tx) => tx('watermark_keys'));
    for (const r of rows) {
      expect(Buffer.from(r.secret_wrapped).includes(Buffer.from(again.key.secret))).toBe(false);
    }
  });
});
