import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { getAccountProfile } from './account-profile.js';
import { register } from './accounts.js';
import { beginTotpEnrollment, confirmTotpEnrollment, disableTotp } from './totp-enrollment.js';

describe.each(engines)('account profile on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('says two-factor sign-in is on only once set-up is confirmed, and off again after', async () => {
    const reg = await register(deps, {
      email: 'profile@example.org',
      password: 'password-profile',
      displayName: 'Pat',
    });
    const off = {
      email: 'profile@example.org',
      displayName: 'Pat',
      twoFactorEnabled: false,
      twoFactorEnabledAt: null,
      recoveryCodesLeft: 0,
    };
    expect(await getAccountProfile(deps, reg.userId)).toEqual(off);
    const { secret } = await beginTotpEnrollment(deps, reg.userId);
    // Started, not confirmed: still off.
    expect(await getAccountProfile(deps, reg.userId)).toEqual(off);
    const code = await generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });
    const { recoveryCodes } = await confirmTotpEnrollment(deps, reg.userId, code);
    expect(await getAccountProfile(deps, reg.userId)).toMatchObject({
      twoFactorEnabled: true,
      twoFactorEnabledAt: deps.clock.now(),
      recoveryCodesLeft: recoveryCodes.length,
    });
    await disableTotp(deps, reg.userId, { password: 'password-profile' });
    expect(await getAccountProfile(deps, reg.userId)).toEqual(off);
    await expect(
      getAccountProfile(deps, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
