import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test/database.js';
import { ownerActor, useTestDeps } from '../test/deps.js';
import { resolveActor } from './accounts/accounts.js';
import { verifyAuditChain } from './audit/audit-log.js';
import { createFolder } from './catalog/folders.js';
import {
  deleteTrack,
  getTrack,
  listTracks,
  openTrackAudio,
  type Track,
  updateTrack,
  uploadTrack,
} from './catalog/tracks.js';
import { withTenant } from './db/transactions.js';
import {
  getInvestigation,
  listInvestigations,
  startInvestigation,
} from './investigations/investigations.js';
import { getJob } from './jobs/job-queue.js';
import { readObject } from './objects/object-store.js';
import type { Actor } from './policies.js';
import { openShare, unlockShare } from './shares/recipient-access.js';
import { replaceShareLink, resendShareLink } from './shares/share-links.js';
import { createShare, getShare, listShares, revokeShare } from './shares/shares.js';
import { listWatermarkKeys } from './shares/watermark-keys.js';

/**
 * Tenant B attacks tenant A's data by every route the domain offers. Each attempt must look
 * exactly like asking for something that does not exist.
 */
describe.each(engines)('tenant isolation on %s', (engine) => {
  const deps = useTestDeps(engine);
  let a: Actor;
  let b: Actor;
  let track: Track;
  let objectId: string;
  beforeAll(async () => {
    a = await ownerActor(deps, 'alice');
    b = await ownerActor(deps, 'bob');
    track = await uploadTrack(deps, a, {
      body: Readable.from([Buffer.from('secret demo')]),
      title: 'Secret',
      tags: ['x'],
    });
    const row = await withTenant(deps.db, a.tenantId, (tx) =>
      tx('track_versions').where({ track_id: track.id }).first(),
    );
    objectId = row.object_id;
  });

  it("another tenant's id is indistinguishable from an id that does not exist", async () => {
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: Error & { code: string }) => [e.code, e.message],
      );
    expect(await errorOf(getTrack(deps, b, track.id))).toEqual(
      await errorOf(getTrack(deps, b, randomUUID())),
    );
    expect(await errorOf(readObject(deps, b, objectId))).toEqual(
      await errorOf(readObject(deps, b, randomUUID())),
    );
    expect(await errorOf(updateTrack(deps, b, track.id, { title: 'x' }))).toEqual(
      await errorOf(updateTrack(deps, b, randomUUID(), { title: 'x' })),
    );
  });

  it('ID swaps answer not_found', async () => {
    await expect(getTrack(deps, b, track.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(updateTrack(deps, b, track.id, { title: 'pwned' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(deleteTrack(deps, b, track.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(openTrackAudio(deps, b, track.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(readObject(deps, b, objectId)).rejects.toMatchObject({ code: 'not_found' });
    const job = await withTenant(deps.db, a.tenantId, (tx) => tx('jobs').first('id'));
    await expect(getJob(deps, b, job.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await getTrack(deps, a, track.id)).title).toBe('Secret');
  });

  it('crafted filters and listings never reach another tenant', async () => {
    for (const filter of [
      {},
      { q: 'Secret' },
      { q: "' OR 1=1 --" },
      { tag: 'x' },
      { folderId: a.tenantId },
    ]) {
      expect((await listTracks(deps, b, filter)).total).toBe(0);
    }
    const keys: string[] = [];
    await expect(
      (async () => {
        for await (const k of deps.storage.list(`t/${b.tenantId}/../${a.tenantId}/`)) keys.push(k);
      })(),
    ).rejects.toMatchObject({ code: 'invalid_storage_key' });
  });

  it('a forged actor (tenant id of A, membership of B) is refused by the database itself', async () => {
    // Resolving B into A's tenant fails: B is no member, and RLS hides A's membership rows anyway.
    await expect(resolveActor(deps, b.userId, a.tenantId)).rejects.toMatchObject({
      code: 'not_found',
    });
    // Mass assignment: a tenant id smuggled into a patch is not a patchable field.
    await updateTrack(deps, a, track.id, { title: 'Secret', tenantId: b.tenantId } as never);
    expect((await getTrack(deps, a, track.id)).title).toBe('Secret');
    // Even with the application check skipped, B's transaction cannot touch A's rows.
    const rows = await withTenant(deps.db, b.tenantId, (tx) =>
      tx('tracks').where({ id: track.id }),
    );
    expect(rows).toEqual([]);
    const moved = await withTenant(deps.db, b.tenantId, (tx) =>
      tx('tracks').where({ id: track.id }).update({ tenant_id: b.tenantId }).returning('id'),
    );
    expect(moved).toEqual([]);
    await expect(
      withTenant(deps.db, a.tenantId, (tx) =>
        tx('tracks').where({ id: track.id }).update({ tenant_id: b.tenantId }),
      ),
    ).rejects.toThrow(/row-level security|violates/);
    // B cannot attach A's track to a folder of its own, nor A to B's folder.
    const bFolder = await createFolder(deps, b, { name: 'mine' });
    await expect(updateTrack(deps, a, track.id, { folderId: bFolder.id })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    // The data key of A's object cannot be unwrapped under B's context.
    const wrapped = await withTenant(deps.db, a.tenantId, (tx) =>
      tx('objects').where({ id: objectId }).first(),
    );
    await expect(
      deps.keys.unwrap(wrapped.wrapped_key, { tenantId: b.tenantId, objectId }, wrapped.kek_id),
    ).rejects.toMatchObject({ code: 'integrity_error' });
  });

  it("a blob copied under another tenant's key does not decrypt as that object", async () => {
    // Simulate a storage-level swap: B's object row pointing at A's ciphertext.
    const bt = await uploadTrack(deps, b, {
      body: Readable.from([Buffer.from('b audio')]),
      title: 'B',
    });
    const aObj = await withTenant(deps.db, a.tenantId, (tx) =>
      tx('objects').where({ id: objectId }).first(),
    );
    const bVer = await withTenant(deps.db, b.tenantId, (tx) =>
      tx('track_versions').where({ track_id: bt.id }).first(),
    );
    const bObj = await withTenant(deps.db, b.tenantId, (tx) =>
      tx('objects').where({ id: bVer.object_id }).first(),
    );
    await deps.storage.put(bObj.storage_key, await deps.storage.get(aObj.storage_key));
    const { stream } = await readObject(deps, b, bVer.object_id);
    await expect(stream.toArray()).rejects.toMatchObject({ code: 'integrity_error' });
    // Audit chains of both tenants still verify and are separate.
    for (const t of [a, b]) {
      const v = await withTenant(deps.db, t.tenantId, (tx) =>
        verifyAuditChain(tx, { tenantId: t.tenantId }, deps.auditSigner),
      );
      expect(v.ok).toBe(true);
    }
  });

  it('shares, marks, keys, grants and investigations of A stay invisible to B', async () => {
    const { share, links } = await createShare(deps, a, {
      trackIds: [track.id],
      recipients: [{ name: 'Rita', email: 'rita@example.org' }],
      password: 'a share password',
    });
    await unlockShare(deps, links[0]!.token, 'wrong password!', { ipHash: 'x' }).catch(() => null);
    await unlockShare(deps, links[0]!.token, 'a share password', { ipHash: 'y' });
    const inv = await startInvestigation(deps, a, { file: Readable.from([Buffer.from('found')]) });
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: Error & { code: string }) => [e.code, e.message],
      );
    expect(await errorOf(getShare(deps, b, share.id))).toEqual(
      await errorOf(getShare(deps, b, randomUUID())),
    );
    expect(await errorOf(revokeShare(deps, b, share.id))).toEqual(
      await errorOf(revokeShare(deps, b, randomUUID())),
    );
    const resend = (shareId: string) =>
      resendShareLink(deps, b, {
        shareId,
        recipientId: links[0]!.recipientId,
        linkBase: 'https://b.example/',
      });
    expect(await errorOf(resend(share.id))).toEqual(await errorOf(resend(randomUUID())));
    const replace = (shareId: string) =>
      replaceShareLink(deps, b, {
        shareId,
        recipientId: links[0]!.recipientId,
        linkBase: 'https://b.example/',
      });
    expect(await errorOf(replace(share.id))).toEqual(await errorOf(replace(randomUUID())));
    expect(await errorOf(getInvestigation(deps, b, inv.id))).toEqual(
      await errorOf(getInvestigation(deps, b, randomUUID())),
    );
    expect(await listShares(deps, b)).toEqual([]);
    expect(await listInvestigations(deps, b)).toEqual([]);
    expect(await listWatermarkKeys(deps, b)).toEqual([]);
    // Without any application check, B's transaction sees none of A's rows in the new tables.
    for (const table of [
      'shares',
      'share_tracks',
      'share_recipients',
      'forensic_marks',
      'access_events',
      'watermark_keys',
      'share_grants',
      'share_unlock_throttle',
      'investigations',
    ]) {
      const own = await withTenant(deps.db, a.tenantId, (tx) => tx(table).count({ n: '*' }));
      expect(Number(own[0]?.n), table).toBeGreaterThan(0);
      expect(await withTenant(deps.db, b.tenantId, (tx) => tx(table)), table).toEqual([]);
    }
    // A watermark key written into A's tenant from B's transaction is refused by the database.
    await expect(
      withTenant(deps.db, b.tenantId, (tx) =>
        tx('watermark_keys').insert({
          id: randomUUID(),
          tenant_id: a.tenantId,
          secret_wrapped: Buffer.alloc(60),
          kek_id: 'x',
          created_at: new Date(),
        }),
      ),
    ).rejects.toThrow(/row-level security|violates/);
    // A's link still works after all of this.
    await expect(openShare(deps, links[0]!.token)).rejects.toMatchObject({
      code: 'password_required',
    });
  });

  it('an unknown or malformed tenant id sees nothing', async () => {
    expect((await listTracks(deps, { ...b, tenantId: randomUUID() }, {})).total).toBe(0);
    await expect(listTracks(deps, { ...b, tenantId: "x' OR '1'='1" }, {})).rejects.toMatchObject({
      code: 'tenant_context_missing',
    });
  });
});
