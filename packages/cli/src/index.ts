/**
 * `@vaultmark/cli`: the `vaultmark` command. The binary is `vaultmark`; this module lets other
 * programs (and tests) run it in-process.
 */

export { CliError, describeError, ExitCode } from './errors.js';
export type { CliIo } from './io.js';
export { runCli } from './program.js';
