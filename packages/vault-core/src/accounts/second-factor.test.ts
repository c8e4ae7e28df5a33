import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { register } from './accounts.js';
import { requestEmailCode, signInWithEmailCode } from './email-code.js';
import { base32 } from './second-factor.js';
import { authenticate } from './sessions.js';
import { signIn } from './sign-in.js';
import { beginTotpEnrollment, confirmTotpEnrollment, disableTotp } from './totp-enrollment.js';

describe('base32', () => {
  it('matches the RFC 4648 test vectors (unpadded)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) expect(base32(Buffer.from(plain))).toBe(encoded);
  });
});

describe.each(engines)('second factors on %s', (engine) => {
  const deps = useTestDeps(engine);
  const code = (secret: string) =>
    generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });

  it('TOTP: enrolment, required at sign-in, single-use codes, recovery codes', async () => {
    const reg = await register(deps, {
      email: 'tt@example.org',
      password: 'password-tt',
      displayName: 'T',
    });
    const { secret, uri } = await beginTotpEnrollment(deps, reg.userId);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Vaultmark:tt%40example\.org\?/);
    await expect(confirmTotpEnrollment(deps, reg.userId, '000000')).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    const { recoveryCodes, session } = await confirmTotpEnrollment(
      deps,
      reg.userId,
      await code(secret),
    );
    expect(recoveryCodes).toHaveLength(10);
    // Enabling 2FA ended the old session.
    await expect(authenticate(deps, reg.session.token)).rejects.toMatchObject({
      code: 'session_invalid',
    });
    expect(await authenticate(deps, session.token)).toMatchObject({ userId: reg.userId });

    const creds = { email: 'tt@example.org', password: 'password-tt' };
    await expect(signIn(deps, creds)).rejects.toMatchObject({ code: 'two_factor_required' });
    // The code used for enrolment cannot be replayed in the same time step.
    await expect(signIn(deps, { ...creds, totp: await code(secret) })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    deps.clock.advance(30_000);
    const fresh = await code(secret);
    expect(await signIn(deps, { ...creds, totp: fresh })).toMatchObject({ userId: reg.userId });
    await expect(signIn(deps, { ...creds, totp: fresh })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    // The wrong password with a right code still fails.
    deps.clock.advance(30_000);
    await expect(
      signIn(deps, { ...creds, password: 'nope-nope', totp: await code(secret) }),
    ).rejects.toThrow();

    const recovery = recoveryCodes[0] as string;
    expect(await signIn(deps, { ...creds, totp: recovery.toLowerCase() })).toMatchObject({
      userId: reg.userId,
    });
    await expect(signIn(deps, { ...creds, totp: recovery })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });

    await disableTotp(deps, reg.userId, { password: 'password-tt' });
    expect(await signIn(deps, creds)).toMatchObject({ userId: reg.userId });
  });

  it('email codes: bound to the request, single use, attempt-limited, expiring', async () => {
    const reg = await register(deps, {
      email: 'em@example.org',
      password: 'password-em',
      displayName: 'E',
    });
    const readCode = () => {
      const files = readdirSync(deps.outbox).sort();
      const mail = readFileSync(join(deps.outbox, files[files.length - 1] as string), 'utf8');
      expect(mail).toContain('To: em@example.org');
      return /code is (\d{6})/.exec(mail)?.[1] as string;
    };
    const { requestId } = await requestEmailCode(deps, {
      email: 'EM@example.org',
      binding: 'cookie-1',
    });
    const c = readCode();
    await expect(
      signInWithEmailCode(deps, { requestId, code: c, binding: 'cookie-2' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    const ok = await signInWithEmailCode(deps, { requestId, code: c, binding: 'cookie-1' });
    expect(ok.userId).toBe(reg.userId);
    await expect(
      signInWithEmailCode(deps, { requestId, code: c, binding: 'cookie-1' }),
    ).rejects.toThrow();

    const second = await requestEmailCode(deps, { email: 'em@example.org', binding: 'b' });
    const c2 = readCode();
    for (let i = 0; i < 5; i++) {
      await expect(
        signInWithEmailCode(deps, { requestId: second.requestId, code: '999999x', binding: 'b' }),
      ).rejects.toThrow();
    }
    await expect(
      signInWithEmailCode(deps, { requestId: second.requestId, code: c2, binding: 'b' }),
    ).rejects.toThrow();

    const third = await requestEmailCode(deps, { email: 'em@example.org', binding: 'b' });
    const c3 = readCode();
    deps.clock.advance(10 * 60_000);
    await expect(
      signInWithEmailCode(deps, { requestId: third.requestId, code: c3, binding: 'b' }),
    ).rejects.toThrow();

    // Unknown addresses get the same answer and no mail.
    const before = readdirSync(deps.outbox).length;
    expect(
      await requestEmailCode(deps, { email: 'ghost@example.org', binding: 'b' }),
    ).toHaveProperty('requestId');
    expect(readdirSync(deps.outbox)).toHaveLength(before);
  });

  it('an emailed code does not skip the second factor', async () => {
    const reg = await register(deps, {
      email: 'mf@example.org',
      password: 'password-mf',
      displayName: 'M',
    });
    const { secret } = await beginTotpEnrollment(deps, reg.userId);
    const { recoveryCodes } = await confirmTotpEnrollment(deps, reg.userId, await code(secret));
    const readCode = () => {
      const files = readdirSync(deps.outbox).sort();
      const mail = readFileSync(join(deps.outbox, files[files.length - 1] as string), 'utf8');
      return /code is (\d{6})/.exec(mail)?.[1] as string;
    };
    const { requestId } = await requestEmailCode(deps, { email: 'mf@example.org', binding: 'k' });
    const c = readCode();
    const attempt = { requestId, code: c, binding: 'k' };
    // The code alone is refused and stays usable for the retry with the second factor.
    await expect(signInWithEmailCode(deps, attempt)).rejects.toMatchObject({
      code: 'two_factor_required',
    });
    await expect(signInWithEmailCode(deps, { ...attempt, totp: '12345' })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    deps.clock.advance(30_000);
    const ok = await signInWithEmailCode(deps, { ...attempt, totp: await code(secret) });
    expect(await authenticate(deps, ok.session.token)).toMatchObject({ userId: reg.userId });
    // Spent: the same code does not sign in twice, even with a recovery code.
    await expect(
      signInWithEmailCode(deps, { ...attempt, totp: recoveryCodes[0] as string }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    const again = await requestEmailCode(deps, { email: 'mf@example.org', binding: 'k' });
    const viaRecovery = await signInWithEmailCode(deps, {
      requestId: again.requestId,
      code: readCode(),
      binding: 'k',
      totp: recoveryCodes[1] as string,
    });
    expect(viaRecovery.userId).toBe(reg.userId);
  });
});
