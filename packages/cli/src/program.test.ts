import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';

describe('vaultmark', () => {
  it('prints help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: vaultmark');
  });

  it('prints its version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^vaultmark \d+\.\d+\.\d+\n/);
    expect(result.stdout).toMatch(/implementation: (ts|native)/);
  });

  it('reports an unknown command as a one-line usage error with exit code 2', async () => {
    const result = await run(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vaultmark: usage_error: .*no-such-command/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports an unknown option as a usage error', async () => {
    const result = await run(['--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vaultmark: usage_error: unknown option/);
  });
});
