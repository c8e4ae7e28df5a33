import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, type TestDeps, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { resolveActor } from '../accounts/accounts.js';
import { withSystem, withTenant } from '../db/transactions.js';
import { requestAccountDeletion } from '../lifecycle/deletion.js';
import { exportAccount } from '../lifecycle/export.js';
import { purgeDue } from '../lifecycle/purge.js';
import { authorizeRecipientTrack, openShare, unlockShare } from '../shares/recipient-access.js';
import { PASSWORD_FAILURES_NOTIFIED } from '../shares/share-notifications.js';
import { createShare } from '../shares/shares.js';
import { countUnreadNotifications, listNotifications, markNotificationsRead } from './feed.js';
import { notify } from './notify.js';
import { getNotificationSettings, setNotificationSettings } from './settings.js';

/**
 * Recipients and subjects of the emails in the test outbox, once `atLeast` are there (mail goes
 * out after the commit, asynchronously: a loaded machine may take a moment), or after 5 s.
 */
async function mails(deps: TestDeps, atLeast = 0): Promise<string[]> {
  let files: string[] = [];
  for (let waited = 0; waited <= 5000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      files = readdirSync(deps.outbox).filter((f) => f.endsWith('.eml'));
    } catch {
      files = [];
    }
    if (files.length >= atLeast) break;
  }
  return files
    .map((f) => readFileSync(join(deps.outbox, f), 'utf8'))
    .map((m) => `${/^To: (.*)$/m.exec(m)?.[1]} | ${/^Subject: (.*)$/m.exec(m)?.[1]}`)
    .sort();
}

describe.each(engines)('notifications on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('tells the share creator once of a first open and a first play, and of each download', async () => {
    const ann = await ownerActor(deps, 'note-ann');
    const [t] = await placeholderTracks(deps, ann, ['Night Drive']);
    const { links } = await createShare(deps, ann, {
      title: 'Demos',
      trackIds: [t!.id],
      recipients: [{ name: 'Rita Lee', email: 'rita@label.example' }],
      allowDownload: true,
    });
    const token = links[0]!.token;
    const step = () => deps.clock.advance(1000);
    await openShare(deps, token);
    step();
    await openShare(deps, token);
    step();
    await authorizeRecipientTrack(deps, token, t!.id, { kind: 'stream', play: 'start' });
    step();
    await authorizeRecipientTrack(deps, token, t!.id, { kind: 'stream', play: 'start' });
    step();
    await authorizeRecipientTrack(deps, token, t!.id, { kind: 'download' });
    const page = await listNotifications(deps, ann);
    expect(page.items.map((n) => [n.kind, n.summary])).toEqual([
      ['share.downloaded', 'Rita Lee downloaded “Night Drive” from “Demos”'],
      ['share.played', 'Rita Lee started listening to “Night Drive” in “Demos”'],
      ['share.opened', 'Rita Lee opened “Demos”'],
    ]);
    expect(page.items[0]!.subject).toEqual({
      shareId: expect.any(String),
      recipientId: links[0]!.recipientId ?? expect.any(String),
      trackId: t!.id,
    });
    expect(page.unread).toBe(3);
    // Email defaults: opens and downloads, not plays.
    expect(await mails(deps, 2)).toEqual([
      'note-ann@example.org | Vaultmark: Rita Lee downloaded “Night Drive” from “Demos”',
      'note-ann@example.org | Vaultmark: Rita Lee opened “Demos”',
    ]);
  });

  it('tells of repeated wrong passwords once per run of failures', async () => {
    const ann = await ownerActor(deps, 'note-pw');
    const [t] = await placeholderTracks(deps, ann, ['Locked']);
    const { links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [{ name: 'Sam', email: 'sam@label.example' }],
      password: 'a-long-share-password',
    });
    for (let i = 0; i < PASSWORD_FAILURES_NOTIFIED + 1; i++) {
      await expect(
        unlockShare(deps, links[0]!.token, `wrong-${i}`, { ipHash: `ip-${i}` }),
      ).rejects.toMatchObject({ code: 'invalid_credentials' });
    }
    const page = await listNotifications(deps, ann);
    expect(page.items.map((n) => n.summary)).toEqual([
      '3 wrong passwords in a row on Sam’s link to your share',
    ]);
  });

  it('honours each member’s mute settings, email and feed apart, and audits changes', async () => {
    const ann = await ownerActor(deps, 'note-mute');
    const defaults = await getNotificationSettings(deps, ann);
    expect(defaults.map((s) => [s.kind, s.email, s.inApp])).toEqual([
      ['share.opened', true, true],
      ['share.played', false, true],
      ['share.downloaded', true, true],
      ['share.password_failed', true, true],
      ['review.comment', true, true],
      ['review.reply', true, true],
      ['review.mention', true, true],
      ['review.approval', true, true],
    ]);
    const after = await setNotificationSettings(deps, ann, [
      { kind: 'share.opened', email: false, inApp: true },
      { kind: 'share.downloaded', email: true, inApp: false },
    ]);
    expect(after.find((s) => s.kind === 'share.opened')).toMatchObject({ email: false });
    expect(after.find((s) => s.kind === 'share.downloaded')).toMatchObject({ inApp: false });
    expect(await auditActions(deps, ann.tenantId)).toContain('notification.settings');
    expect(
      await failure(
        setNotificationSettings(deps, ann, [{ kind: 'nope', email: true, inApp: true }]),
      ),
    ).toEqual(['invalid_input', 'unknown notification kind']);

    const [t] = await placeholderTracks(deps, ann, ['Muted']);
    const { links } = await createShare(deps, ann, {
      trackIds: [t!.id],
      recipients: [{ name: 'Ola', email: 'ola@label.example' }],
      allowDownload: true,
    });
    const before = await mails(deps);
    await openShare(deps, links[0]!.token);
    deps.clock.advance(1000);
    await authorizeRecipientTrack(deps, links[0]!.token, t!.id, { kind: 'download' });
    expect((await listNotifications(deps, ann)).items.map((n) => n.kind)).toEqual(['share.opened']);
    const sent = (await mails(deps, before.length + 1)).filter((m) => !before.includes(m));
    expect(sent).toEqual([
      'note-mute@example.org | Vaultmark: Ola downloaded “Muted” from your share',
    ]);
  });

  it('writes nothing and sends nothing when the transaction rolls back; skips non-members', async () => {
    const ann = await ownerActor(deps, 'note-rb');
    const bob = await ownerActor(deps, 'note-rb-bob');
    const before = await mails(deps);
    await expect(
      withTenant(deps.db, ann.tenantId, async (tx) => {
        const r = await notify(tx, deps, {
          tenantId: ann.tenantId,
          userIds: [ann.userId, bob.userId, null],
          kind: 'share.opened',
          subject: {},
          summary: 'x'.repeat(400),
        });
        expect(r).toEqual({ inApp: 1, emails: 1 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await listNotifications(deps, ann)).items).toEqual([]);
    expect(await mails(deps)).toEqual(before);
  });

  it('keeps each member’s feed to themselves and to their organization', async () => {
    const ann = await ownerActor(deps, 'note-iso');
    const bob = await ownerActor(deps, 'note-iso-bob');
    await withSystem(deps.db, (tx) =>
      tx('memberships').insert({
        tenant_id: ann.tenantId,
        user_id: bob.userId,
        role: 'member',
        created_at: deps.clock.now(),
        updated_at: deps.clock.now(),
      }),
    );
    const bobHere = await resolveActor(deps, bob.userId, ann.tenantId);
    const write = (userId: string, summary: string) =>
      withTenant(deps.db, ann.tenantId, (tx) =>
        notify(tx, deps, {
          tenantId: ann.tenantId,
          userIds: [userId],
          kind: 'share.played',
          subject: { shareId: ann.tenantId },
          summary,
        }),
      );
    for (let i = 0; i < 5; i++) {
      deps.clock.advance(1000);
      await write(ann.userId, `ann ${i}`);
    }
    await write(bob.userId, 'bob 0');
    // Bob sees his own entry here, nothing of Ann's, and nothing in his own organization.
    expect((await listNotifications(deps, bobHere)).items.map((n) => n.summary)).toEqual(['bob 0']);
    expect((await listNotifications(deps, bob)).items).toEqual([]);
    const annPage = await listNotifications(deps, ann, { limit: 2 });
    expect(annPage.items.map((n) => n.summary)).toEqual(['ann 4', 'ann 3']);
    const next = await listNotifications(deps, ann, { limit: 2, before: annPage.nextBefore! });
    expect(next.items.map((n) => n.summary)).toEqual(['ann 2', 'ann 1']);
    // Bob cannot mark Ann's entries read; Ann can.
    await markNotificationsRead(deps, bobHere, { ids: annPage.items.map((n) => n.id) });
    expect(await countUnreadNotifications(deps, ann)).toBe(5);
    expect(await markNotificationsRead(deps, ann, { ids: [annPage.items[0]!.id] })).toEqual({
      unread: 4,
    });
    expect(
      (await listNotifications(deps, ann, { unreadOnly: true })).items.map((n) => n.summary),
    ).toEqual(['ann 3', 'ann 2', 'ann 1', 'ann 0']);
    expect(await markNotificationsRead(deps, ann, { all: true })).toEqual({ unread: 0 });
    expect(await failure(markNotificationsRead(deps, ann, { ids: ['x'] }))).toEqual([
      'invalid_input',
      'ids must be 1 to 500 notification ids, or all: true',
    ]);
  });

  it('are exported with the account and erased with it', async () => {
    const ann = await ownerActor(deps, 'note-del');
    await setNotificationSettings(deps, ann, [{ kind: 'share.played', email: true, inApp: true }]);
    await withTenant(deps.db, ann.tenantId, (tx) =>
      notify(tx, deps, {
        tenantId: ann.tenantId,
        userIds: [ann.userId],
        kind: 'share.played',
        subject: { trackId: ann.tenantId },
        summary: 'exported',
      }),
    );
    const bundle = await exportAccount(deps, ann.userId);
    const org = (bundle.organizations as Array<Record<string, unknown[]>>)[0]!;
    expect(org.notifications).toMatchObject([{ summary: 'exported', kind: 'share.played' }]);
    expect(org.notificationSettings).toMatchObject([{ kind: 'share.played', email: true }]);
    await requestAccountDeletion(deps, ann.userId, { password: 'password-of-note-del' });
    deps.clock.advance(31 * 86_400_000);
    await purgeDue(deps);
    const left = await withSystem(deps.db, async (tx) => ({
      feed: await tx('notifications').where({ user_id: ann.userId }),
      settings: await tx('notification_settings').where({ user_id: ann.userId }),
    }));
    expect(left).toEqual({ feed: [], settings: [] });
  });
});
