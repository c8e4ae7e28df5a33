import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVaultServer, loadConfig } from '@vaultmark/server';

/**
 * The composed server on its embedded defaults (worker included) in `<dir>/data`, listening on
 * a free port, with one registered owner: sign-up confirms the address with the code the
 * embedded vault writes to its outbox. `owner` holds the headers of the owner's session.
 */
export async function startSignedInVault(dir: string, email: string, displayName: string) {
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { dataDir: join(dir, 'data'), port: 0 });
  const vault = await createVaultServer({ config });
  const running = await vault.listen(0);
  config.publicBaseUrl = running.url;
  const asked = await fetch(`${running.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench password 1', displayName }),
  });
  const outbox = join(dir, 'data', 'outbox');
  const mail = readdirSync(outbox).map((name) => readFileSync(join(outbox, name), 'utf8'));
  const code = /code is (\d{6})/.exec(mail.join('\n'))?.[1];
  const register = await fetch(`${running.url}/api/auth/register/verify`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Cookie: asked.headers.getSetCookie()[0]!.split(';')[0]!,
    },
    body: JSON.stringify({ code }),
  });
  const cookie = register.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('vaultmark_session='))!;
  const { csrfToken } = (await register.json()) as { csrfToken: string };
  return { config, vault, running, owner: { Cookie: cookie, 'X-CSRF-Token': csrfToken } };
}
