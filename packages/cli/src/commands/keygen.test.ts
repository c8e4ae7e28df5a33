import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKey } from '@vaultmark/watermark';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-keygen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaultmark keygen', () => {
  it('writes a named key only its owner can read', async () => {
    const path = join(dir, 'studio.key');
    const result = await run(['keygen', '--name', 'studio 2026', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const key = parseKey(readFileSync(path, 'utf8'));
    expect(key.name).toBe('studio 2026');
    expect(key.secret.length * 8).toBeGreaterThanOrEqual(128);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a key unless told to', async () => {
    const path = join(dir, 'existing.key');
    writeFileSync(path, 'precious');
    const refused = await run(['keygen', path]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^vaultmark: file_exists: /);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect((await run(['keygen', '--force', path])).code).toBe(0);
    expect(parseKey(readFileSync(path, 'utf8')).name).toBe('default');
  });

  it('rejects names a key cannot carry', async () => {
    const result = await run(['keygen', '--name', ' bad\tname', join(dir, 'x.key')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vaultmark: invalid_key: /);
  });
});
