import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { CliError } from '../errors.js';
import { println } from '../io.js';
import { untilShutdown } from './server-options.js';

/**
 * `vaultmark worker [--data DIR]`: runs background jobs (analysis, purge, audit checkpoints)
 * against the PostgreSQL database of `DATABASE_URL`. Any number of workers may run on any number
 * of machines; each job runs once. Stops after the current job on SIGINT/SIGTERM.
 */
export const registerWorker: RegisterCommand = (program: Command, ctx) => {
  program
    .command('worker')
    .description('run background jobs against the PostgreSQL database of DATABASE_URL')
    .option('--data <dir>', 'data directory for temporary files and local keys')
    .action(async (options: { data?: string }) => {
      // The server (and its database drivers) loads only for the commands that run it.
      const { createVaultWorker, loadConfig } = await import('@vaultmark/server');
      const config = loadConfig(ctx.io.env, {
        ...(options.data !== undefined ? { dataDir: options.data } : {}),
        cwd: ctx.io.cwd,
      });
      if (!config.databaseUrl) {
        throw new CliError(
          'invalid_config',
          'DATABASE_URL is required (with the embedded database, `vaultmark serve` runs the jobs itself)',
        );
      }
      const worker = await createVaultWorker({ config });
      println(ctx.io.stdout, `vaultmark: worker ${worker.workerId} running`);
      const signal = await untilShutdown();
      println(ctx.io.stderr, `vaultmark: ${signal}: finishing the current job, then stopping`);
      await worker.stop();
    });
};
