import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { listMemberships, resolveActor } from '../accounts/accounts.js';
import { getTrack, uploadTrack } from '../catalog/tracks.js';
import { answerInvitation, listInvitations, listMyInvitations } from './invitations.js';
import { createOrganization, listMembers, removeMember, setMember } from './organizations.js';

describe.each(engines)('organizations on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('roles apply on the next request and owners are protected', async () => {
    const ann = await ownerActor(deps, 'ann');
    const bob = await ownerActor(deps, 'bob');
    const studio = await createOrganization(deps, ann.userId, { name: 'Studio' });
    const annS = await resolveActor(deps, ann.userId, studio);
    expect(annS.role).toBe('owner');
    await expect(resolveActor(deps, bob.userId, studio)).rejects.toMatchObject({
      code: 'not_found',
    });
    // A non-member is invited, never added: the answer is the same for an unknown address.
    expect(await setMember(deps, annS, { email: 'bob@example.org', role: 'member' })).toEqual({
      invited: true,
    });
    expect(await setMember(deps, annS, { email: 'nobody@example.org', role: 'member' })).toEqual({
      invited: true,
    });
    expect((await listMemberships(deps, bob.userId)).map((m) => m.name)).toEqual(['bob']);
    await expect(resolveActor(deps, bob.userId, studio)).rejects.toMatchObject({
      code: 'not_found',
    });
    const [invitation] = await listMyInvitations(deps, bob.userId);
    expect(invitation).toMatchObject({
      organizationName: 'Studio',
      role: 'member',
      invitedBy: 'ann',
    });
    // Only the invitee can answer it.
    await expect(
      answerInvitation(deps, ann.userId, invitation?.id as string, 'accept'),
    ).rejects.toMatchObject({ code: 'not_found' });
    await answerInvitation(deps, bob.userId, invitation?.id as string, 'accept');
    await expect(
      answerInvitation(deps, bob.userId, invitation?.id as string, 'accept'),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect((await listInvitations(deps, annS)).map((i) => i.email)).toEqual(['nobody@example.org']);
    const bobS = await resolveActor(deps, bob.userId, studio);
    expect(bobS.role).toBe('member');
    expect((await listMemberships(deps, bob.userId)).map((m) => m.name)).toEqual(['bob', 'Studio']);
    await expect(
      setMember(deps, bobS, { email: 'ann@example.org', role: 'member' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const t = await uploadTrack(deps, bobS, {
      body: Readable.from([Buffer.from('x')]),
      title: 'Shared',
    });
    expect((await getTrack(deps, annS, t.id)).title).toBe('Shared');
    expect(await setMember(deps, annS, { email: 'bob@example.org', role: 'admin' })).toEqual({
      invited: false,
    });
    expect((await resolveActor(deps, bob.userId, studio)).role).toBe('admin');
    await expect(
      setMember(deps, { ...bobS, role: 'admin' }, { email: 'bob@example.org', role: 'owner' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(removeMember(deps, annS, ann.userId)).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect((await listMembers(deps, annS)).map((m) => m.role)).toEqual(['owner', 'admin']);
    await removeMember(deps, annS, bob.userId);
    // Removal applies at once: Bob's next request cannot resolve into the studio.
    await expect(resolveActor(deps, bob.userId, studio)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      setMember(deps, ann, { email: 'bob@example.org', role: 'member' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
