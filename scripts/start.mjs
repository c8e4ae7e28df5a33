// The README's first command (`npm start`): installs everything, builds, and runs the vault server
// on the embedded defaults (PGlite, encrypted local storage, local key, mail outbox, all under
// ./vaultmark-data). Arguments are passed on: `npm start -- --port 9000 --data /srv/vault`.
import { join } from 'node:path';
import { build, installDependencies, pnpm, root, run, say } from './lib.mjs';

const pm = pnpm();
installDependencies(pm);
build(pm);
say('running: vaultmark serve (stop with Ctrl-C)');
run(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'serve', ...process.argv.slice(2)], {
  // Ctrl-C reaches the server, which shuts down gracefully; its exit is not a failure here.
  allowFailure: true,
});
