import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { placeholderTracks } from '../../test/shares.js';
import { withSystem } from '../db/transactions.js';
import { startInvestigation } from '../investigations/investigations.js';
import { requestOrganizationDeletion } from '../lifecycle/deletion.js';
import { exportAccount } from '../lifecycle/export.js';
import { purgeDue } from '../lifecycle/purge.js';
import { openShare, SHARE_GRANT_TTL_MS, unlockShare } from './recipient-access.js';
import { createShare } from './shares.js';

const DAY = 86_400_000;
const TABLES = [
  'shares',
  'share_tracks',
  'share_recipients',
  'forensic_marks',
  'access_events',
  'watermark_keys',
  'share_grants',
  'share_unlock_throttle',
  'investigations',
];

describe.each(engines)('share data under the purge on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('exports share data without secrets; purges expired grants and a deleted organization', async () => {
    const ann = await ownerActor(deps, 'purge-shares');
    const keep = await ownerActor(deps, 'purge-keep');
    const count = (tenantId: string) =>
      withSystem(deps.db, async (tx) => {
        const out: Record<string, number> = {};
        for (const t of TABLES) {
          const [r] = await tx(t).where({ tenant_id: tenantId }).count({ n: '*' });
          out[t] = Number(r?.n);
        }
        return out;
      });
    for (const who of [ann, keep]) {
      const [t] = await placeholderTracks(deps, who, ['Purged']);
      const { links } = await createShare(deps, who, {
        trackIds: [t!.id],
        recipients: [{ name: 'Rita', email: 'rita@example.org' }],
        password: 'a share password',
      });
      await unlockShare(deps, links[0]!.token, 'not the password', { ipHash: 'a' }).catch(() => 0);
      const { grant } = await unlockShare(deps, links[0]!.token, 'a share password');
      await openShare(deps, links[0]!.token, { grant });
      await startInvestigation(deps, who, { file: Readable.from([Buffer.from('found')]) });
    }
    expect(Object.values(await count(ann.tenantId)).every((n) => n > 0)).toBe(true);
    // The account export carries the shares, mappings, key ids and investigations, no secrets.
    const bundle = await exportAccount(deps, ann.userId);
    const org = (bundle.organizations as Array<Record<string, unknown[]>>)[0] ?? {};
    for (const part of [
      'shares',
      'recipients',
      'watermarkMappings',
      'watermarkKeys',
      'investigations',
    ]) {
      expect(org[part], part).toHaveLength(1);
    }
    expect(JSON.stringify(bundle)).not.toMatch(/secret|password_hash|token_hash|wrapped/);

    deps.clock.advance(SHARE_GRANT_TTL_MS + 1);
    expect((await purgeDue(deps)).shareGrants).toBe(2);
    await requestOrganizationDeletion(deps, ann);
    deps.clock.advance(8 * DAY);
    expect(await purgeDue(deps)).toMatchObject({ organizations: 1 });
    expect(Object.values(await count(ann.tenantId)).every((n) => n === 0)).toBe(true);
    const kept = await count(keep.tenantId);
    expect(kept).toMatchObject({
      shares: 1,
      forensic_marks: 1,
      watermark_keys: 1,
      investigations: 1,
    });
  });
});
