import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-migrate-'));

/** The environment of a command: nothing inherited that would pick another database. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  for (const name of ['DATABASE_URL', 'VAULTMARK_DATA']) delete env[name];
  return env;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vaultmark migrate (embedded database)', () => {
  it('lists pending migrations, applies them, then reports the database up to date', async () => {
    const data = join(dir, 'embedded');
    const env = cleanEnv();
    const before = await run(['migrate', '--status', '--data', data], { env, cwd: dir });
    expect(before.code, before.stderr).toBe(1);
    const names = before.stdout
      .split('\n')
      .filter((line) => line.startsWith('pending'))
      .map((line) => line.split(/\s+/)[1]);
    expect(names.length).toBeGreaterThan(0);
    expect(names[0]).toBe('0001-core');
    expect(before.stdout).toContain(`vaultmark: 0 applied, ${names.length} pending (embedded`);

    const applied = await run(['migrate', '--data', data], { env, cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`applied  ${names[0]}`);
    expect(applied.stdout).toContain(`vaultmark: applied ${names.length} migrations;`);

    const after = await run(['migrate', '--status', '--data', data], { env, cwd: dir });
    expect(after.code).toBe(0);
    const states = after.stdout.split('\n').filter((line) => /^(applied|pending)/.test(line));
    expect(states).toHaveLength(names.length);
    for (const [i, line] of states.entries()) {
      expect(line).toMatch(
        new RegExp(`^applied  ${names[i]}\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  batch 1$`),
      );
    }
    const again = await run(['migrate', '--data', data], { env, cwd: dir });
    expect(again.stdout).toContain(`vaultmark: up to date; ${names.length} applied, 0 pending`);
  }, 90_000);
});
