// Small helpers shared by the repository scripts (start, test, vaultmark). Node built-ins only:
// these run before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PNPM_VERSION = '10.34.9';

/** Prints a progress line on stderr. */
export function say(message) {
  process.stderr.write(`\x1b[1m▸ ${message}\x1b[0m\n`);
}

/** Runs a command in the repository root, inheriting stdio; exits on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    say(`${command} could not start: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0 && !options.allowFailure) {
    say(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  return result;
}

function works(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

/**
 * Returns how to call pnpm: the one on PATH, or one installed with npm (corepack is avoided: its
 * signature check fails against registries that serve no signatures).
 */
export function pnpm() {
  if (works('pnpm', ['--version'])) return ['pnpm'];
  say(`installing pnpm@${PNPM_VERSION} with npm`);
  if (
    works('npm', ['install', '--global', `pnpm@${PNPM_VERSION}`]) &&
    works('pnpm', ['--version'])
  ) {
    return ['pnpm'];
  }
  // No permission for a global install: run it through npx instead.
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
}

/** Installs the workspace's npm dependencies (frozen lockfile on CI). */
export function installDependencies(pm) {
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  say('installing npm dependencies');
  run(pm[0], [...pm.slice(1), 'install', ...frozen]);
}

/** Builds every package (tsup: ESM + CJS + types). */
export function build(pm) {
  say('building packages');
  run(pm[0], [...pm.slice(1), 'run', 'build']);
}

export function cliBuilt() {
  return existsSync(join(root, 'packages/cli/dist/bin.js'));
}
