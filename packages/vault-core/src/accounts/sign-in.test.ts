import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { changePassword, createApiToken, register } from './accounts.js';
import { REAUTH_FAILURES, SIGN_IN_FAILURES } from './attempts.js';
import { signIn } from './sign-in.js';
import { disableTotp } from './totp-enrollment.js';

describe.each(engines)('sign-in throttles on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('limits an account’s failed sign-ins whatever address they come from', async () => {
    await register(deps, { email: 'th@example.org', password: 'password-th', displayName: 'T' });
    for (let i = 0; i < SIGN_IN_FAILURES.max; i++) {
      await expect(
        signIn(
          deps,
          { email: 'th@example.org', password: `wrong-${i}-pass` },
          { ip: `10.0.0.${i}` },
        ),
      ).rejects.toMatchObject({ code: 'invalid_credentials' });
    }
    // Spent: even the right password waits for the window to end.
    await expect(
      signIn(deps, { email: 'th@example.org', password: 'password-th' }, { ip: '10.9.9.9' }),
    ).rejects.toMatchObject({ code: 'rate_limited' });
    deps.clock.advance(SIGN_IN_FAILURES.windowMs);
    expect(await signIn(deps, { email: 'th@example.org', password: 'password-th' })).toHaveProperty(
      'session',
    );
  });

  it('every password re-check shares one budget per account', async () => {
    const reg = await register(deps, {
      email: 'rc@example.org',
      password: 'password-rc',
      displayName: 'R',
    });
    const wrong = [
      () => createApiToken(deps, reg.userId, { password: 'guess-guess-1' }),
      () => disableTotp(deps, reg.userId, { password: 'guess-guess-2' }),
      () =>
        changePassword(deps, reg.userId, {
          currentPassword: 'guess-guess-3',
          newPassword: 'password-rc-2',
        }),
    ];
    for (let i = 0; i < REAUTH_FAILURES.max; i++) {
      await expect((wrong[i % wrong.length] as () => Promise<unknown>)()).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
    }
    await expect(
      createApiToken(deps, reg.userId, { password: 'password-rc' }),
    ).rejects.toMatchObject({ code: 'rate_limited' });
    deps.clock.advance(REAUTH_FAILURES.windowMs);
    expect(await createApiToken(deps, reg.userId, { password: 'password-rc' })).toHaveProperty(
      'token',
    );
  });
});
