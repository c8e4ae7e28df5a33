import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { register, signIn } from './accounts.js';
import {
  base32,
  beginTotpEnrollment,
  confirmTotpEnrollment,
  disableTotp,
  requestEmailCode,
  signInWithEmailCode,
} from './second-factor.js';
import { authenticate } from './sessions.js';

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
});
