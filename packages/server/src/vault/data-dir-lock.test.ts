import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const owner = () => readFileSync(join(dir, 'vaultmark.pid'), 'utf8').split(/\s+/)[0];

it('lets one server own an embedded data directory, and takes over a dead owner’s lock', () => {
  const release = lockDataDir(dir);
  expect(owner()).toBe(String(process.pid));
  expect(() => lockDataDir(dir)).toThrow(/in use by process \d+/);
  release();
  // A lock left by a process that no longer exists (pids this high are not in use).
  writeFileSync(join(dir, 'vaultmark.pid'), '4194000\n');
  const again = lockDataDir(dir);
  expect(owner()).toBe(String(process.pid));
  again();
});

it('takes over a lock whose pid now belongs to another process', () => {
  // Our own pid, but with a start time that is not ours: the pid was reused.
  writeFileSync(join(dir, 'vaultmark.pid'), `${process.pid} 1\n`);
  const release = lockDataDir(dir);
  expect(readFileSync(join(dir, 'vaultmark.pid'), 'utf8').trim()).not.toBe(`${process.pid} 1`);
  release();
});

it.runIf(process.platform === 'linux')(
  'takes over a lock held by a zombie (a killed owner nobody reaped)',
  async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = Number(
        await new Promise<string>((resolve) =>
          parent.stdout.once('data', (d) => resolve(String(d))),
        ),
      );
      for (let i = 0; i < 100; i++) {
        const state = readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]?.[0];
        if (state === 'Z') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      writeFileSync(join(dir, 'vaultmark.pid'), `${zombie}\n`);
      const release = lockDataDir(dir);
      expect(owner()).toBe(String(process.pid));
      release();
    } finally {
      parent.kill('SIGKILL');
    }
  },
);
