import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { println } from '../io.js';
import { parsePortOption, untilShutdown } from './server-options.js';

/**
 * `vaultmark serve [--port N] [--data DIR] [--no-worker]`: the reference server. Without
 * `DATABASE_URL` everything lives under the data directory (PGlite, encrypted blobs, the local
 * key-encryption key, the mail outbox), created on first start. Background jobs run in this
 * process unless `--no-worker` is given (then run `vaultmark worker` processes). Stops
 * gracefully on SIGINT/SIGTERM, letting requests in flight finish.
 */
export const registerServe: RegisterCommand = (program: Command, ctx) => {
  program
    .command('serve')
    .description('run the vault server (embedded defaults: everything under the data directory)')
    .option('--port <port>', 'port to listen on (default $PORT or 8080)', parsePortOption)
    .option('--data <dir>', 'data directory (default $VAULTMARK_DATA or ./vaultmark-data)')
    .option('--no-worker', 'do not run background jobs in this process')
    .action(async (options: { port?: number; data?: string; worker: boolean }) => {
      // The server (and its database drivers) loads only for the commands that run it.
      const { createVaultServer, loadConfig } = await import('@vaultmark/server');
      const config = loadConfig(ctx.io.env, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.data !== undefined ? { dataDir: options.data } : {}),
        cwd: ctx.io.cwd,
      });
      const server = await createVaultServer({ config, worker: options.worker });
      const running = await server.listen();
      const mode = config.databaseUrl ? 'PostgreSQL' : `embedded, data in ${config.dataDir}`;
      println(ctx.io.stdout, `vaultmark: listening on ${running.url} (${mode})`);
      if (config.publicBaseUrl !== running.url) {
        println(ctx.io.stdout, `vaultmark: public address ${config.publicBaseUrl}`);
      }
      println(
        ctx.io.stdout,
        options.worker
          ? 'vaultmark: background jobs run in this process'
          : 'vaultmark: no worker in this process (run `vaultmark worker`)',
      );
      const signal = await untilShutdown();
      println(ctx.io.stderr, `vaultmark: ${signal}: finishing requests in flight, then stopping`);
      await server.close();
    });
};
