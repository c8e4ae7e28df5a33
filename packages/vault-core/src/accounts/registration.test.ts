import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { useTestDeps } from '../../test/deps.js';
import { register } from './accounts.js';
import { completeRegistration, requestRegistration } from './registration.js';
import { authenticate } from './sessions.js';

describe.each(engines)('registration on %s', (engine) => {
  const deps = useTestDeps(engine);
  const mailTo = (address: string) =>
    readdirSync(deps.outbox)
      .sort()
      .map((f) => readFileSync(join(deps.outbox, f), 'utf8'))
      .filter((m) => m.includes(`To: ${address}`));

  it('confirms a new address with the emailed code, bound to the asking client', async () => {
    const asked = await requestRegistration(deps, {
      email: 'New@Example.org',
      password: 'password-new',
      displayName: 'Nu',
      binding: 'jar-1',
    });
    const code = /code is (\d{6})/.exec(mailTo('new@example.org').at(-1) as string)?.[1] as string;
    await expect(
      completeRegistration(deps, { requestId: asked.requestId, code, binding: 'jar-2' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    const done = await completeRegistration(deps, {
      requestId: asked.requestId,
      code,
      binding: 'jar-1',
    });
    expect(await authenticate(deps, done.session.token)).toMatchObject({ userId: done.userId });
    await expect(
      completeRegistration(deps, { requestId: asked.requestId, code, binding: 'jar-1' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('answers a taken address the same way and tells its owner instead', async () => {
    await register(deps, { email: 'own@example.org', password: 'password-own', displayName: 'O' });
    const asked = await requestRegistration(deps, {
      email: 'own@example.org',
      password: 'password-other',
      displayName: 'Impostor',
      binding: 'jar',
    });
    expect(Object.keys(asked)).toEqual(['requestId']);
    const mail = mailTo('own@example.org').at(-1) as string;
    expect(mail).toContain('you already have one');
    expect(mail).not.toMatch(/\b\d{6}\b/);
    // No code can complete it: every six-digit guess space is closed, not just the mailed one.
    for (const code of ['000000', '123456']) {
      await expect(
        completeRegistration(deps, { requestId: asked.requestId, code, binding: 'jar' }),
      ).rejects.toMatchObject({ code: 'invalid_credentials' });
    }
  });

  it('refuses bad input before sending anything', async () => {
    const count = () => (existsSync(deps.outbox) ? readdirSync(deps.outbox).length : 0);
    const before = count();
    await expect(
      requestRegistration(deps, {
        email: 'x@example.org',
        password: 'short',
        displayName: 'X',
        binding: 'j',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(count()).toBe(before);
  });
});
