import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lets one server own an embedded data directory, and takes over a dead owner’s lock', () => {
  const release = lockDataDir(dir);
  expect(readFileSync(join(dir, 'vaultmark.pid'), 'utf8').trim()).toBe(String(process.pid));
  expect(() => lockDataDir(dir)).toThrow(/in use by process \d+/);
  release();
  // A lock left by a process that no longer exists (pids this high are not in use).
  writeFileSync(join(dir, 'vaultmark.pid'), '4194000\n');
  const again = lockDataDir(dir);
  expect(readFileSync(join(dir, 'vaultmark.pid'), 'utf8').trim()).toBe(String(process.pid));
  again();
});
