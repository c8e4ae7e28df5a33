// The README's first command (`npm start`): installs everything and runs the main job on the
// embedded defaults.
import { join } from 'node:path';
import { build, installDependencies, pnpm, root, run, say } from './lib.mjs';

const pm = pnpm();
installDependencies(pm);
build(pm);
say('running: vaultmark demo');
run(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'demo', ...process.argv.slice(2)]);
