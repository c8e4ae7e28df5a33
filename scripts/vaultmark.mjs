// `pnpm vaultmark ...`: runs the built CLI in this process (no second Node.js start), building the
// workspace first if it was never built.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, cliBuilt, pnpm, root } from './lib.mjs';

if (!cliBuilt()) build(pnpm());
const bin = join(root, 'packages/cli/dist/bin.js');
process.argv = [process.argv[0], bin, ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
