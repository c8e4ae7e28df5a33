import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { createFolder } from '../catalog/folders.js';
import { uploadTrack } from '../catalog/tracks.js';
import {
  createGuestToken,
  listGuestTokens,
  openGuestTrackAudio,
  revokeGuestToken,
  useGuestToken,
} from './guest-tokens.js';

const DAY = 86_400_000;
const audio = (s: string) => Readable.from([Buffer.from(s)]);

describe.each(engines)('guest tokens on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('open one track or one folder, log every use, and stop on revoke or expiry', async () => {
    const ann = await ownerActor(deps, 'gina');
    const folder = await createFolder(deps, ann, { name: 'EP' });
    const inFolder = await uploadTrack(deps, ann, {
      body: audio('one'),
      title: 'One',
      folderId: folder.id,
    });
    const other = await uploadTrack(deps, ann, { body: audio('two'), title: 'Two' });
    const expiresAt = new Date(deps.clock.now().getTime() + 7 * DAY);

    await expect(
      createGuestToken(
        deps,
        { ...ann, role: 'member' },
        { label: 'x', scope: { trackId: other.id }, expiresAt },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const forFolder = await createGuestToken(deps, ann, {
      label: 'Mix engineer',
      scope: { folderId: folder.id },
      expiresAt,
    });
    const access = await useGuestToken(deps, forFolder.token, { ipHash: 'h1' });
    expect(access.tracks.map((t) => t.title)).toEqual(['One']);
    expect(
      (await buffer(await openGuestTrackAudio(deps, forFolder.token, inFolder.id))).toString(),
    ).toBe('one');
    await expect(openGuestTrackAudio(deps, forFolder.token, other.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await listGuestTokens(deps, ann))[0]).toMatchObject({ uses: 3, label: 'Mix engineer' });
    const actions = await auditActions(deps, ann.tenantId);
    expect(actions.filter((a) => a === 'guest_token.use')).toHaveLength(3);

    // A token from another tenant's perspective: B cannot list or revoke it.
    const bob = await ownerActor(deps, 'gbob');
    expect(await listGuestTokens(deps, bob)).toEqual([]);
    await expect(revokeGuestToken(deps, bob, forFolder.guestToken.id)).rejects.toMatchObject({
      code: 'not_found',
    });

    await revokeGuestToken(deps, ann, forFolder.guestToken.id);
    await expect(useGuestToken(deps, forFolder.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });

    const forTrack = await createGuestToken(deps, ann, {
      label: 'Press',
      scope: { trackId: other.id },
      expiresAt,
    });
    expect((await useGuestToken(deps, forTrack.token)).tracks.map((t) => t.id)).toEqual([other.id]);
    deps.clock.advance(7 * DAY);
    await expect(useGuestToken(deps, forTrack.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    await expect(useGuestToken(deps, 'vms_unknown')).rejects.toMatchObject({
      code: 'session_invalid',
    });
  });
});
