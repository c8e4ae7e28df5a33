// Small helpers shared by the repository scripts (start, test, vaultmark). Node built-ins only:
// these run before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/** Workspace folders with a package.json of their own (packages, benchmarks, native). */
function workspaceDirs() {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join('packages', e.name));
  return ['.', ...packages, 'benchmarks', 'native'].filter((d) =>
    existsSync(join(root, d, 'package.json')),
  );
}

/** SHA-256 over each file's path, size and modification time (directories walked). */
function fingerprint(paths) {
  const hash = createHash('sha256');
  const visit = (path) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    const info = statSync(full);
    if (info.isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (name !== 'node_modules' && name !== 'dist') visit(join(path, name));
      }
    } else {
      hash.update(`${path}\0${info.size}\0${info.mtimeMs}\n`);
    }
  };
  for (const path of paths) visit(path);
  return hash.digest('hex');
}

/**
 * Runs `step` unless the stamp file holds `print` (what the step depends on is unchanged since it
 * last succeeded); records `print` after a success.
 */
function unlessCurrent(stampName, print, what, step) {
  const stamp = join(root, 'node_modules', '.cache', stampName);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === print) {
    say(`${what}: up to date`);
    return;
  }
  step();
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, print);
}

/**
 * Installs the workspace's npm dependencies (frozen lockfile on CI). With `{ skipIfCurrent }`,
 * nothing runs when the lockfile and every package.json are as they were at the last install.
 */
export function installDependencies(pm, { skipIfCurrent = false } = {}) {
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  const install = () => {
    say('installing npm dependencies');
    run(pm[0], [...pm.slice(1), 'install', ...frozen]);
  };
  if (!skipIfCurrent || !existsSync(join(root, 'node_modules'))) return install();
  const manifests = workspaceDirs().map((d) => join(d, 'package.json'));
  const print = fingerprint(['pnpm-lock.yaml', 'pnpm-workspace.yaml', ...manifests]);
  unlessCurrent('vaultmark-install', print, 'npm dependencies', install);
}

/**
 * Builds every package (tsup: ESM + CJS + types). With `{ skipIfCurrent }`, nothing runs when
 * every package was built and no source, manifest or build setting changed since.
 */
export function build(pm, { skipIfCurrent = false } = {}) {
  const step = () => {
    say('building packages');
    run(pm[0], [...pm.slice(1), 'run', 'build']);
  };
  const packages = workspaceDirs().filter((d) => d.startsWith('packages'));
  const built = packages.every((d) => existsSync(join(root, d, 'dist')));
  if (!skipIfCurrent || !built) return step();
  const inputs = ['tsconfig.base.json', 'tsconfig.json', 'pnpm-lock.yaml'];
  for (const d of packages) {
    for (const name of readdirSync(join(root, d))) {
      if (name === 'src' || /^(package\.json|tsconfig.*\.json|tsup\.config\..*)$/.test(name)) {
        inputs.push(join(d, name));
      }
    }
  }
  unlessCurrent('vaultmark-build', fingerprint(inputs), 'packages', step);
}

export function cliBuilt() {
  return existsSync(join(root, 'packages/cli/dist/bin.js'));
}
