import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { failure, placeholderTracks } from '../../test/shares.js';
import { withTenant } from '../db/transactions.js';
import { openShare } from '../shares/recipient-access.js';
import { createShare } from '../shares/shares.js';
import {
  getBranding,
  getLogo,
  recipientBranding,
  recipientLogo,
  removeLogo,
  setBrandColor,
  setLogo,
} from './organization-branding.js';

const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
const webp = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), Buffer.alloc(32, 1)]);

describe.each(engines)('organization branding on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('validates the colour, stores the logo encrypted, erases it, lets admins only change them, shows them to recipients of that organization only', async () => {
    const ann = await ownerActor(deps, 'brand-ann');
    const other = await ownerActor(deps, 'brand-other');
    const member = { ...ann, role: 'member' as const };
    expect(await getBranding(deps, ann)).toEqual({ brandColor: null, hasLogo: false });

    expect(await setBrandColor(deps, ann, ' #1A2B3C ')).toEqual({
      brandColor: '#1a2b3c',
      hasLogo: false,
    });
    for (const bad of ['red', '#12345', '#1234567', '#gggggg', 12 as unknown as string]) {
      expect(await failure(setBrandColor(deps, ann, bad))).toEqual([
        'invalid_input',
        'the colour must look like #1a2b3c',
      ]);
    }
    expect((await failure(setBrandColor(deps, member, '#000000')))?.[0]).toBe('forbidden');
    expect((await failure(setLogo(deps, member, png)))?.[0]).toBe('forbidden');
    expect((await failure(removeLogo(deps, member)))?.[0]).toBe('forbidden');
    expect(await getBranding(deps, member)).toEqual({ brandColor: '#1a2b3c', hasLogo: false });

    expect(await failure(setLogo(deps, ann, Buffer.from('GIF89a....')))).toEqual([
      'invalid_input',
      'the logo must be a PNG, JPEG or WebP image',
    ]);
    expect(await failure(setLogo(deps, ann, Buffer.alloc(1024 * 1024 + 1, 0)))).toEqual([
      'invalid_input',
      'the logo must be at most 1 MB',
    ]);
    expect(await setLogo(deps, ann, png)).toEqual({
      contentType: 'image/png',
      sizeBytes: png.length,
    });
    expect(await getLogo(deps, ann)).toEqual({ bytes: png, contentType: 'image/png' });
    const first = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('organizations')
        .join('objects', 'objects.id', 'organizations.logo_object_id')
        .where({ 'organizations.id': ann.tenantId })
        .first('objects.*'),
    );
    expect(first.kind).toBe('logo');
    const stored: Buffer[] = [];
    for await (const part of await deps.storage.get(first.storage_key)) stored.push(part as Buffer);
    expect(Buffer.concat(stored).includes(png.subarray(0, 16))).toBe(false);
    // Replaced: the old one is crypto-erased.
    await setLogo(deps, ann, webp);
    expect((await getLogo(deps, ann)).contentType).toBe('image/webp');
    const old = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('objects').where({ id: first.id }).first(),
    );
    expect(old.wrapped_key).toBeNull();

    // Isolation: another organization sees its own (none).
    expect(await getBranding(deps, other)).toEqual({ brandColor: null, hasLogo: false });
    expect(await failure(getLogo(deps, other))).toEqual(['not_found', 'logo not found']);

    // Recipients of ann's share see ann's branding; other's recipients do not.
    const [tune] = await placeholderTracks(deps, ann, ['Tune']);
    const [theirs] = await placeholderTracks(deps, other, ['Theirs']);
    const mine = await createShare(deps, ann, {
      trackIds: [tune!.id],
      recipients: [{ name: 'Rita', email: 'rita@label.example' }],
    });
    const elsewhere = await createShare(deps, other, {
      trackIds: [theirs!.id],
      recipients: [{ name: 'Rob', email: 'rob@label.example' }],
    });
    const token = mine.links[0]!.token;
    expect((await openShare(deps, token)).sender).toMatchObject({
      brandColor: '#1a2b3c',
      hasLogo: true,
    });
    expect(await recipientBranding(deps, token)).toEqual({ brandColor: '#1a2b3c', hasLogo: true });
    expect((await recipientLogo(deps, token)).bytes).toEqual(webp);
    const theirToken = elsewhere.links[0]!.token;
    expect(await recipientBranding(deps, theirToken)).toEqual({ brandColor: null, hasLogo: false });
    expect(await failure(recipientLogo(deps, theirToken))).toEqual(['not_found', 'logo not found']);

    // Removed: erased, and the recipient's logo is gone.
    const current = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('organizations').where({ id: ann.tenantId }).first('logo_object_id'),
    );
    await removeLogo(deps, ann);
    const erased = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('objects').where({ id: current.logo_object_id }).first(),
    );
    expect(erased.wrapped_key).toBeNull();
    expect(await failure(recipientLogo(deps, token))).toEqual(['not_found', 'logo not found']);
    expect(await setBrandColor(deps, ann, null)).toEqual({ brandColor: null, hasLogo: false });
    const actions = await auditActions(deps, ann.tenantId);
    expect(actions.filter((a) => a === 'organization.logo')).toHaveLength(3);
    expect(actions.filter((a) => a === 'organization.brand_color')).toHaveLength(2);
  });
});
