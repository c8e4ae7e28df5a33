import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { listMemberships } from '../accounts/accounts.js';
import { authenticate } from '../accounts/sessions.js';
import { signIn } from '../accounts/sign-in.js';
import { verifyAuditChain } from '../audit/audit-log.js';
import { getTrack, uploadTrack } from '../catalog/tracks.js';
import { withSystem, withTenant } from '../db/transactions.js';
import { createOrganization } from '../tenancy/organizations.js';
import { getRetentionPolicy, setRetentionPolicy } from '../tenancy/retention.js';
import { cancelAccountDeletion, requestAccountDeletion } from './deletion.js';
import { exportAccount } from './export.js';
import { purgeDue } from './purge.js';

const DAY = 86_400_000;

describe.each(engines)('account lifecycle on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('exports a machine-readable bundle without secrets', async () => {
    const ann = await ownerActor(deps, 'exa');
    await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from('x')]),
      title: 'Song',
      tags: ['a'],
    });
    const bundle = await exportAccount(deps, ann.userId);
    expect(bundle).toMatchObject({
      format: 'vaultmark-account-export/1',
      account: { email: 'exa@example.org' },
      organizations: [{ role: 'owner', tracks: [{ title: 'Song', tags: ['a'] }] }],
    });
    const text = JSON.stringify(bundle);
    expect(text).not.toMatch(/argon2|password_hash|token_hash|wrapped_key/);
  });

  it('deletes after the grace period, cancel restores, purge leaves nothing behind', async () => {
    const ann = await ownerActor(deps, 'del');
    const other = await ownerActor(deps, 'keep');
    const t = await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from('audio')]),
      title: 'Gone',
    });
    const kept = await uploadTrack(deps, other, {
      body: Readable.from([Buffer.from('audio')]),
      title: 'Kept',
    });
    await createOrganization(deps, ann.userId, { name: 'Side studio' });

    await expect(
      requestAccountDeletion(deps, ann.userId, { password: 'wrong' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    const s = await signIn(deps, { email: 'del@example.org', password: 'password-of-del' });
    await requestAccountDeletion(deps, ann.userId, { password: 'password-of-del' });
    await expect(authenticate(deps, s.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    expect((await listMemberships(deps, ann.userId))[0]?.deleteAfter).not.toBeNull();
    await cancelAccountDeletion(deps, ann.userId);
    expect((await listMemberships(deps, ann.userId))[0]?.deleteAfter).toBeNull();
    deps.clock.advance(31 * DAY);
    expect(await purgeDue(deps)).toMatchObject({ organizations: 0, users: 0 });
    expect((await getTrack(deps, ann, t.id)).title).toBe('Gone');

    await requestAccountDeletion(deps, ann.userId, { password: 'password-of-del' });
    deps.clock.advance(29 * DAY);
    expect(await purgeDue(deps)).toMatchObject({ organizations: 0, users: 0 });
    deps.clock.advance(2 * DAY);
    const chainId = await withSystem(
      deps.db,
      async (tx) => (await tx('audit_heads').where({ tenant_id: ann.tenantId }).first()).chain_id,
    );
    const report = await purgeDue(deps);
    expect(report).toMatchObject({ organizations: 1, users: 1 });
    expect(report.blobs).toBeGreaterThan(0);
    const leftovers = await withSystem(deps.db, async (tx) => ({
      objects: await tx('objects').where({ tenant_id: ann.tenantId }),
      tracks: await tx('tracks').where({ tenant_id: ann.tenantId }),
      users: await tx('users').where({ id: ann.userId }),
      sessions: await tx('sessions').where({ user_id: ann.userId }),
      audit: await tx('audit_events').where({ tenant_id: ann.tenantId }),
    }));
    expect(leftovers).toEqual({ objects: [], tracks: [], users: [], sessions: [], audit: [] });
    const blobs: string[] = [];
    for await (const k of deps.storage.list(`t/${ann.tenantId}/`)) blobs.push(k);
    expect(blobs).toEqual([]);
    // The tombstoned chain still verifies; the other tenant is untouched.
    const v = await withSystem(deps.db, (tx) =>
      verifyAuditChain(tx, { chainId }, deps.auditSigner),
    );
    expect(v).toMatchObject({ ok: true });
    expect((await getTrack(deps, other, kept.id)).title).toBe('Kept');
    // Running the purge again finds nothing left to do.
    expect(await purgeDue(deps)).toMatchObject({ organizations: 0, users: 0, blobs: 0 });
    // Twelve months on, the tombstoned chain goes too.
    const chain = () =>
      withSystem(deps.db, async (tx) => ({
        events: (await tx('audit_events').where({ chain_id: chainId })).length,
        checkpoints: (await tx('audit_checkpoints').where({ chain_id: chainId })).length,
      }));
    expect((await chain()).events).toBeGreaterThan(0);
    deps.clock.advance(366 * DAY);
    expect((await purgeDue(deps)).auditEvents).toBeGreaterThan(0);
    expect(await chain()).toEqual({ events: 0, checkpoints: 0 });
  });
});

describe.each(engines)('retention on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('drops access events past the organization policy, old login events and expired sessions', async () => {
    const ann = await ownerActor(deps, 'ret');
    await expect(
      setRetentionPolicy(deps, ann, { accessLogDays: 0, trackDays: null }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await setRetentionPolicy(deps, ann, { accessLogDays: 30, trackDays: 10 });
    expect(await getRetentionPolicy(deps, ann)).toEqual({
      accessLogDays: 30,
      trackDays: 10,
      loginLogDays: 365,
    });
    const old = await uploadTrack(deps, ann, {
      body: Readable.from([Buffer.from('old')]),
      title: 'Old',
    });
    const shareId = randomUUID();
    const recipientId = randomUUID();
    await withTenant(deps.db, ann.tenantId, async (tx) => {
      for (const daysAgo of [40, 10]) {
        await tx('access_events').insert({
          id: randomUUID(),
          tenant_id: ann.tenantId,
          share_id: shareId,
          recipient_id: recipientId,
          kind: 'opened',
          at: new Date(deps.clock.now().getTime() - daysAgo * DAY),
        });
      }
    });
    deps.clock.advance(deps.sessions.absoluteMs + DAY);
    const report = await purgeDue(deps);
    expect(report.accessEvents).toBe(1);
    expect(report.identityRows).toBeGreaterThanOrEqual(1);
    const left = await withTenant(deps.db, ann.tenantId, (tx) => tx('access_events').select('id'));
    // The 10-day-old event is now 25 days old: inside the 30-day policy.
    expect(left).toHaveLength(1);
    // The track outlived its 10 days: erased, deleted, its blob swept, the expiry audited.
    expect(report.tracks).toBe(1);
    await expect(getTrack(deps, ann, old.id)).rejects.toMatchObject({ code: 'not_found' });
    const blobs: string[] = [];
    for await (const k of deps.storage.list(`t/${ann.tenantId}/`)) blobs.push(k);
    expect(blobs).toEqual([]);
    expect(await withTenant(deps.db, ann.tenantId, (tx) => tx('objects').select('id'))).toEqual([]);
    expect((await auditActions(deps, ann.tenantId)).at(-1)).toBe('track.expire');
    deps.clock.advance(731 * DAY);
    await purgeDue(deps);
    const logins = await withSystem(deps.db, (tx) =>
      tx('login_events').where({ user_id: ann.userId }),
    );
    expect(logins).toEqual([]);
  });
});
