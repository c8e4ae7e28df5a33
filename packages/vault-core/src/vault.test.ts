import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { DEFAULT_INVESTIGATION_POLICY } from './deps.js';
import { openVault, vaultDeps } from './vault.js';

describe('openVault on the embedded defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-vault-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates everything in the data directory and keeps it across restarts', {
    timeout: 60_000,
  }, async () => {
    const clock = new ManualClock('2026-04-01T00:00:00Z');
    const first = await openVault({ dataDir: dir, clock });
    let trackId: string;
    let token: string;
    try {
      const reg = await first.accounts.register({
        email: 'ann@example.org',
        password: 'a long passphrase',
        displayName: 'Ann',
      });
      token = reg.session.token;
      const actor = await first.accounts.resolveActor(reg.userId);
      const t = await first.catalog.uploadTrack(actor, {
        body: Readable.from([Buffer.from('audio')]),
        originalFileName: 'a.wav',
      });
      trackId = t.id;
    } finally {
      await first.close();
    }
    // Reopen: same KEK file, same database, same blobs.
    const second = await openVault({ dataDir: dir, clock });
    try {
      const who = await second.accounts.authenticate(token);
      const actor = await second.accounts.resolveActor(who.userId);
      const { stream } = await second.catalog.openTrackAudio(actor, trackId);
      expect((await buffer(stream)).toString()).toBe('audio');
      expect(await second.audit.verify(actor)).toMatchObject({ ok: true });
      const job = await second.jobs.claim(['analysis'], 'worker-1');
      expect(job?.payload).toMatchObject({ trackId });
      // Shares and investigations are composed too; the worker gets the investigation handler.
      const { links } = await second.shares.create(actor, {
        trackIds: [trackId],
        recipients: [{ name: 'Rita', email: 'rita@example.org' }],
      });
      expect((await second.shares.open(links[0]!.token)).tracks).toHaveLength(1);
      expect((await second.watermarkKeys.list(actor)).map((k) => k.current)).toEqual([true]);
      expect(Object.keys(second.jobs.coreHandlers())).toEqual([
        'analysis',
        'stems',
        'investigation',
        'previews',
      ]);
      expect(await second.investigations.list(actor)).toEqual([]);
      // The ports stay inside: readiness, limits and the start-up sweep are use-cases.
      expect('deps' in second).toBe(false);
      await expect(second.health.database()).resolves.toBeUndefined();
      await expect(second.health.storage()).resolves.toBeUndefined();
      expect(second.investigations.limits()).toEqual(DEFAULT_INVESTIGATION_POLICY);
      expect(await second.lifecycle.sweepIncompleteBlobs(new Date())).toBe(0);
      expect(vaultDeps(second).clock).toBe(clock);
    } finally {
      await second.close();
    }
  });
});
