import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';
import { runCli } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaultmark serve', () => {
  it('starts on the embedded defaults, prints its URL, and stops gracefully on SIGTERM', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    delete env.PORT;
    delete env.VAULTMARK_DATA;
    const data = join(dir, 'data');
    const exit = runCli(['serve', '--port', '0', '--data', data], {
      stdout,
      stderr,
      stdin: new PassThrough(),
      env,
      cwd: dir,
    });
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(url, err).toBeDefined();
    expect(out).toContain(`embedded, data in ${data}`);
    expect(out).toContain('background jobs run in this process');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const registered = await fetch(`${url}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: 'first@example.com',
        password: 'a long enough password',
        displayName: 'First',
      }),
    });
    // Sign-up confirms the address first: the code goes to the outbox in the data directory.
    expect(registered.status).toBe(202);
    expect(existsSync(join(data, 'outbox'))).toBe(true);
    // A second server on the same embedded database is refused.
    const second = await run(['serve', '--port', '0', '--data', data], { env, cwd: dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      /^vaultmark: invalid_config: the data directory .* is in use by process \d+/,
    );
    // What the embedded defaults created on first start.
    for (const path of ['db', 'keys/kek.key', 'tmp']) {
      expect(existsSync(join(data, path)), path).toBe(true);
    }
    process.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(err).toContain('SIGTERM: finishing requests in flight');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 90_000);

  it('refuses a bad port and a bad configuration with one line', async () => {
    const port = await run(['serve', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/^vaultmark: usage_error: .*port/);
    const config = await run(['serve', '--data', join(dir, 'x')], { env: { PORT: 'nope' } });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^vaultmark: invalid_config: PORT: /);
  });
});

describe('vaultmark worker', () => {
  it('needs DATABASE_URL', async () => {
    const result = await run(['worker', '--data', join(dir, 'w')], { env: { DATABASE_URL: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vaultmark: invalid_config: DATABASE_URL is required/);
  });
});
