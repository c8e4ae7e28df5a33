import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVaultServer, loadConfig, openConfiguredVault } from '@vaultmark/server';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-keys-'));

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  for (const name of ['DATABASE_URL', 'VAULTMARK_DATA', 'KMS_KEY_ID']) delete env[name];
  return env;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vaultmark keys', () => {
  it('adds a KEK to the key file, re-wraps every key, and a second run has nothing to do', async () => {
    const data = join(dir, 'embedded');
    const env = cleanEnv();
    const config = loadConfig(env, { dataDir: data, cwd: dir });
    const { vault } = await openConfiguredVault(config);
    const reg = await vault.accounts.register({
      email: 'keys@example.org',
      password: 'a long enough password',
      displayName: 'Keys',
    });
    await vault.accounts.beginTotpEnrollment(reg.userId);
    const before = await vault.keys.deploymentKeyId();
    await vault.close();

    const status = await run(['keys', 'status', '--data', data], { env, cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`current key-encryption key: ${before}`);
    expect(status.stdout).toContain('no rotation has run');

    const rotated = await run(['keys', 'rotate', '--data', data], { env, cwd: dir });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/new key-encryption key local:[0-9a-f]{16}/);
    expect(rotated.stdout).toMatch(
      /completed: 1 keys re-wrapped to local:[0-9a-f]{16} .* 0 remaining/,
    );
    expect(
      readFileSync(config.kek.kind === 'file' ? config.kek.path : '', 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);

    const again = await run(['keys', 'rotate', '--no-new-key', '--data', data], { env, cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/completed: 0 keys re-wrapped/);
    const after = await run(['keys', 'status', '--data', data], { env, cwd: dir });
    expect(after.stdout).toMatch(/rotation [0-9a-f-]{36}: completed/);
    expect(after.stdout).not.toContain(before);
  }, 120_000);
});

describe('vaultmark keys rotate beside a running server (embedded database)', () => {
  it('adds the key to the file and the server re-wraps every data key itself', async () => {
    const data = join(dir, 'served');
    const env = cleanEnv();
    const config = loadConfig(env, { dataDir: data, cwd: dir });
    const server = await createVaultServer({ config, worker: false });
    try {
      const { vault } = server;
      const reg = await vault.accounts.register({
        email: 'served@example.org',
        password: 'a long enough password',
        displayName: 'Served',
      });
      await vault.accounts.beginTotpEnrollment(reg.userId);
      const rotated = await run(['keys', 'rotate', '--data', data], { env, cwd: dir });
      expect(rotated.code, rotated.stderr).toBe(0);
      const keyId = /new key-encryption key (local:[0-9a-f]{16})/.exec(rotated.stdout)?.[1];
      expect(keyId).toBeDefined();
      expect(rotated.stdout).toContain('the running server re-wraps every data key');
      let status = await vault.keys.rotationStatus();
      for (
        let i = 0;
        i < 150 && !(status?.targetKeyId === keyId && status?.state === 'completed');
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
        status = await vault.keys.rotationStatus();
      }
      expect(status).toMatchObject({ targetKeyId: keyId, state: 'completed', remaining: 0 });
      expect(status?.rewrapped).toBe(1);
    } finally {
      await server.close(100);
    }
  }, 120_000);
});
