import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { withSystem } from '../db/transactions.js';
import {
  changePassword,
  clientIpHash,
  createApiToken,
  listMemberships,
  loginHistory,
  register,
  resolveActor,
} from './accounts.js';
import { authenticate, listSessions, revokeSession, signOut } from './sessions.js';
import { signIn } from './sign-in.js';

describe.each(engines)('accounts on %s', (engine) => {
  const deps = useTestDeps(engine);
  const client = { ip: '203.0.113.7', userAgent: 'Firefox' };
  // A long passphrase: argon2 hashes all of it (bcrypt would stop at 72 bytes).
  const longPassword = `${'correct horse battery staple '.repeat(10)}!`;

  it('registers a user with a personal organization and signs in', async () => {
    const reg = await register(
      deps,
      { email: ' Ann@Example.org ', password: longPassword, displayName: 'Ann' },
      client,
    );
    expect(reg.session.token).toMatch(/^vms_[A-Za-z0-9_-]{43}$/);
    expect(await authenticate(deps, reg.session.token)).toMatchObject({ userId: reg.userId });
    const orgs = await listMemberships(deps, reg.userId);
    expect(orgs).toEqual([
      expect.objectContaining({
        organizationId: reg.organizationId,
        role: 'owner',
        personal: true,
      }),
    ]);
    expect(await resolveActor(deps, reg.userId)).toMatchObject({
      tenantId: reg.organizationId,
      role: 'owner',
    });
    await expect(
      register(deps, { email: 'ann@example.org', password: longPassword, displayName: 'Other' }),
    ).rejects.toMatchObject({ code: 'email_taken' });

    deps.clock.advance(1000);
    // A password differing only past byte 72 is a different password.
    const truncated = `${longPassword.slice(0, 72)}X`;
    await expect(
      signIn(deps, { email: 'ann@example.org', password: truncated }, client),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    await expect(
      signIn(deps, { email: 'nobody@example.org', password: longPassword }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    deps.clock.advance(1000);
    const again = await signIn(
      deps,
      { email: 'ANN@example.org', password: longPassword, previousToken: reg.session.token },
      client,
    );
    expect(again.newDevice).toBe(false);
    // Rotation: the pre-sign-in token is dead, the new one differs.
    await expect(authenticate(deps, reg.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    expect(again.session.token).not.toBe(reg.session.token);

    deps.clock.advance(1000);
    const other = await signIn(
      deps,
      { email: 'ann@example.org', password: longPassword },
      { ip: '198.51.100.1', userAgent: 'Safari' },
    );
    expect(other.newDevice).toBe(true);
    const mails = readdirSync(deps.outbox).map((f) => readFileSync(join(deps.outbox, f), 'utf8'));
    expect(mails.filter((m) => m.includes('new device (Safari)'))).toHaveLength(1);
    const log = await loginHistory(deps, reg.userId);
    expect(log.map((e) => e.outcome)).toEqual(['success', 'success', 'failure', 'success']);
    // No raw address anywhere in the identity tables.
    const dump = JSON.stringify(
      await withSystem(deps.db, async (tx) => [
        await tx('login_events'),
        await tx('sessions'),
        await tx('audit_events'),
      ]),
    );
    expect(dump).not.toContain('203.0.113.7');
    expect(log[0]?.ipHash).toBe(await clientIpHash(deps, '198.51.100.1'));
  });

  it('enforces idle and absolute timeouts, lists and revokes sessions', async () => {
    const reg = await register(deps, {
      email: 'bo@example.org',
      password: 'password-bo-1',
      displayName: 'Bo',
    });
    deps.clock.advance(deps.sessions.idleMs + 1);
    await expect(authenticate(deps, reg.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    const s = await signIn(deps, { email: 'bo@example.org', password: 'password-bo-1' });
    for (let t = 0; t < deps.sessions.absoluteMs; t += deps.sessions.idleMs / 2) {
      deps.clock.advance(deps.sessions.idleMs / 2);
      if (t + deps.sessions.idleMs / 2 < deps.sessions.absoluteMs)
        await authenticate(deps, s.session.token);
    }
    await expect(authenticate(deps, s.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });

    const a = await signIn(deps, { email: 'bo@example.org', password: 'password-bo-1' });
    const b = await signIn(deps, { email: 'bo@example.org', password: 'password-bo-1' });
    const api = await createApiToken(deps, reg.userId, { password: 'password-bo-1' });
    expect((await listSessions(deps, reg.userId)).map((x) => x.id).sort()).toEqual(
      [a.session.sessionId, b.session.sessionId, api.sessionId].sort(),
    );
    await revokeSession(deps, reg.userId, a.session.sessionId);
    await expect(authenticate(deps, a.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    await signOut(deps, b.session.token);
    await expect(authenticate(deps, b.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    expect(await authenticate(deps, api.token)).toMatchObject({ kind: 'api' });
    // Another user cannot revoke Bo's session by id.
    const c = await register(deps, {
      email: 'cy@example.org',
      password: 'password-cy-1',
      displayName: 'Cy',
    });
    await expect(revokeSession(deps, c.userId, api.sessionId)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a password change ends every session', async () => {
    const reg = await register(deps, {
      email: 'di@example.org',
      password: 'password-di-1',
      displayName: 'Di',
    });
    const api = await createApiToken(deps, reg.userId, { password: 'password-di-1' });
    const fresh = await changePassword(deps, reg.userId, {
      currentPassword: 'password-di-1',
      newPassword: 'password-di-2',
    });
    for (const t of [reg.session.token, api.token]) {
      await expect(authenticate(deps, t)).rejects.toMatchObject({ code: 'session_invalid' });
    }
    expect(await authenticate(deps, fresh.token)).toMatchObject({ userId: reg.userId });
    await expect(
      signIn(deps, { email: 'di@example.org', password: 'password-di-1' }),
    ).rejects.toThrow();
  });

  it('rejects weak or oversized passwords without truncating', async () => {
    for (const password of ['short', 'x'.repeat(4097)]) {
      await expect(
        register(deps, { email: 'e@example.org', password, displayName: 'E' }),
      ).rejects.toMatchObject({ code: 'invalid_input', field: 'password' });
    }
  });

  it('rotates the IP salt daily and forgets old salts', async () => {
    const h1 = await clientIpHash(deps, '192.0.2.1');
    expect(await clientIpHash(deps, '::ffff:192.0.2.1')).toBe(h1);
    deps.clock.advance(86_400_000);
    const h2 = await clientIpHash(deps, '192.0.2.1');
    expect(h2).not.toBe(h1);
    deps.clock.advance(2 * 86_400_000);
    await clientIpHash(deps, '192.0.2.1');
    const days = await withSystem(deps.db, (tx) =>
      tx('ip_salts').count<{ n: string }[]>({ n: '*' }),
    );
    expect(Number(days[0]?.n)).toBeLessThanOrEqual(2);
  });
});
