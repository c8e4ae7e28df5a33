import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('S3Storage works against a local S3-compatible server (s3rver, plain Node process)', {
  timeout: 60_000,
}, () => {
  const script = fileURLToPath(new URL('../../test/s3-check.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  // A clean Node process: the runner's workers carry `--conditions module`, see the script.
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 55_000,
  });
  expect(run.stderr + run.stdout).toContain('s3-check: ok');
  expect(run.status).toBe(0);
});
