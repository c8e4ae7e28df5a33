// The README's first command (`npm start`): installs everything, builds, and runs the vault server
// on the embedded defaults (PGlite, encrypted local storage, local key, mail outbox, all under
// ./vaultmark-data). Installing and building are skipped when nothing they depend on changed
// since they last succeeded, so a returning user waits seconds. Arguments are passed on:
// `npm start -- --port 9000 --data /srv/vault`.
import { join } from 'node:path';
import { build, installDependencies, pnpm, root, run, say } from './lib.mjs';

const pm = pnpm();
installDependencies(pm, { skipIfCurrent: true });
build(pm, { skipIfCurrent: true });
say('running: vaultmark serve (stop with Ctrl-C)');
run(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'serve', ...process.argv.slice(2)], {
  // Ctrl-C reaches the server, which shuts down gracefully; its exit is not a failure here.
  allowFailure: true,
});
