import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { auditActions, ownerActor, useTestDeps } from '../../test/deps.js';
import { tone } from '../../test/tone.js';
import { createFolder } from '../catalog/folders.js';
import { uploadTrack } from '../catalog/tracks.js';
import { withTenant } from '../db/transactions.js';
import {
  createGuestToken,
  listGuestTokens,
  openGuestTrackAudio,
  revokeGuestToken,
  useGuestToken,
} from './guest-tokens.js';

const DAY = 86_400_000;
const audio = (s: string) => Readable.from([Buffer.from(s)]);
const dir = mkdtempSync(join(tmpdir(), 'vm-guest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wav = readFileSync(tone(dir, 'one.wav', { seconds: 3 }));

describe.each(engines)('guest tokens on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('open one track or one folder, log every use, and stop on revoke or expiry', async () => {
    const ann = await ownerActor(deps, 'gina');
    const folder = await createFolder(deps, ann, { name: 'EP' });
    const inFolder = await uploadTrack(deps, ann, {
      body: Readable.from([wav]),
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
    // The guest gets a WAV marked with a payload of their own, never the stored bytes.
    const copy = await openGuestTrackAudio(deps, forFolder.token, inFolder.id);
    expect(copy.media.contentType).toBe('audio/wav');
    const bytes = await buffer(await copy.media.open(0, copy.media.size - 1));
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.equals(wav)).toBe(false);
    const mapping = await withTenant(deps.db, ann.tenantId, (tx) =>
      tx('forensic_marks').where({ guest_token_id: forFolder.guestToken.id }),
    );
    expect(mapping.map((m) => [m.subject, m.subject_label, m.track_id])).toEqual([
      ['guest', 'guest: Mix engineer', inFolder.id],
    ]);
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
