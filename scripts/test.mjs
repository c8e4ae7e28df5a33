// The README's second command (`npm test`): installs what the suite needs (npm dependencies;
// ffmpeg, sox, PostgreSQL and Chromium when missing and this user may apt-get), starts PostgreSQL,
// builds, lints, type-checks and runs every package's tests. Fails if any package ran no test.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build, installDependencies, pnpm, root, run, say } from './lib.mjs';

process.env.TZ = 'UTC';
const pm = pnpm();
const pnpmRun = (...args) => run(pm[0], [...pm.slice(1), ...args]);

installDependencies(pm);

if (!process.env.TEST_DATABASE_URL) {
  say('preparing system tools (ffmpeg, sox, PostgreSQL, Chromium)');
  const setup = spawnSync('bash', [join(root, 'scripts/setup-system.sh')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (setup.status !== 0) {
    say('system set-up failed; see the message above');
    process.exit(1);
  }
  const match = /TEST_DATABASE_URL=(\S+)/.exec(setup.stdout);
  if (match) process.env.TEST_DATABASE_URL = match[1];
}

build(pm);
say('lint (biome)');
pnpmRun('exec', 'biome', 'check', '.');
say('type check (tsc -b)');
pnpmRun('exec', 'tsc', '-b');

const nativeDir = join(root, 'native');
if (existsSync(join(nativeDir, 'Cargo.toml'))) {
  if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0) {
    say('native: cargo fmt --check, clippy, cargo test, build');
    run('cargo', ['fmt', '--check'], { cwd: nativeDir });
    run('cargo', ['clippy', '--release', '--all-targets', '--', '-D', 'warnings'], {
      cwd: nativeDir,
    });
    run('cargo', ['test', '--release'], { cwd: nativeDir });
    pnpmRun('run', 'build:native');
  } else {
    say('cargo not found: the native module is not built; the TypeScript path is used');
  }
}

say('tests (vitest)');
const report = join(root, '.vitest-report.json');
rmSync(report, { force: true });
const vitest = run(
  pm[0],
  [
    ...pm.slice(1),
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { allowFailure: true },
);

// Every package must run at least one test: a package whose tests silently vanish fails the run.
const results = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : { testResults: [] };
const perPackage = new Map(
  readdirSync(join(root, 'packages')).map((name) => [name, { passed: 0, failed: 0 }]),
);
if (existsSync(join(nativeDir, 'index.js'))) perPackage.set('native', { passed: 0, failed: 0 });
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of results.testResults ?? []) {
  const [top, name] = relative(root, file.name).split(sep);
  const counts = perPackage.get(top === 'packages' ? name : top);
  for (const assertion of file.assertionResults ?? []) {
    if (assertion.status === 'passed') {
      passed += 1;
      if (counts) counts.passed += 1;
    } else if (assertion.status === 'failed') {
      failed += 1;
      if (counts) counts.failed += 1;
    } else skipped += 1;
  }
  if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
}
const empty = [...perPackage].filter(([, c]) => c.passed + c.failed === 0).map(([n]) => n);
for (const [name, c] of perPackage) say(`${name}: ${c.passed} passed, ${c.failed} failed`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (empty.length > 0) {
  say(`packages that ran no test: ${empty.join(', ')}`);
  process.exit(1);
}
if (vitest.status !== 0 || failed > 0) {
  if (failed === 0) say('vitest reported errors outside the tests (see "Unhandled Errors" above)');
  process.exit(vitest.status || 1);
}
