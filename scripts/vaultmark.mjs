// `pnpm vaultmark ...`: runs the built CLI, building the workspace first if it was never built.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, cliBuilt, pnpm, root } from './lib.mjs';

if (!cliBuilt()) build(pnpm());
const result = spawnSync(
  process.execPath,
  [join(root, 'packages/cli/dist/bin.js'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
