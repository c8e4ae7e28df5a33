import { type Command, InvalidArgumentError } from 'commander';
import type { RegisterCommand } from '../context.js';
import { ExitCode } from '../errors.js';
import { println } from '../io.js';

interface RotateOptions {
  data?: string;
  batchSize: number;
  newKey: boolean;
}

function positive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return Number(value);
}

/**
 * `vaultmark keys rotate [--no-new-key] [--batch-size N] [--data DIR]`: rotates the deployment's
 * key-encryption key online. With the local key file, adds a new KEK to it (unless a rotation is
 * already under way, which this run then finishes), then re-wraps every stored data key in
 * batches while servers keep serving; stopped, it continues where it was when run again. With a
 * KMS, create the new key there, set `KMS_KEY_ID` to it and `KMS_PREVIOUS_KEY_IDS` to the old
 * one on every server, then run this. Exit 0 when every key is under the new key, 1 when some
 * could not be re-wrapped (see `keys status`). `vaultmark keys status` prints where it stands.
 */
export const registerKeys: RegisterCommand = (program: Command, ctx) => {
  const keys = program
    .command('keys')
    .description("rotate the deployment's key-encryption key and re-wrap every data key");
  const open = async (data: string | undefined) => {
    // The server (and its database drivers) loads only for the commands that run it.
    const { loadConfig, openConfiguredVault } = await import('@vaultmark/server');
    const config = loadConfig(ctx.io.env, {
      ...(data !== undefined ? { dataDir: data } : {}),
      cwd: ctx.io.cwd,
    });
    return { config, opened: () => openConfiguredVault(config, { lockDataDir: true }) };
  };
  keys
    .command('rotate')
    .description('add a new KEK (local key file) and re-wrap every data key, resumably')
    .option('--no-new-key', 'only re-wrap keys to the current KEK (a KMS key set in KMS_KEY_ID)')
    .option('--batch-size <n>', 'keys re-wrapped per transaction', positive, 500)
    .option('--data <dir>', 'data directory (embedded database and local key file)')
    .action(async (options: RotateOptions) => {
      const { config, opened } = await open(options.data);
      let configured: Awaited<ReturnType<typeof opened>>;
      try {
        configured = await opened();
      } catch (error) {
        // The embedded database is the running server's alone: add the key to the file, and
        // the server re-wraps every data key itself.
        const inUse = /in use by process/.test(String((error as Error).message));
        if (!inUse || config.kek.kind !== 'file' || !options.newKey) throw error;
        const { KekFile } = await import('@vaultmark/vault-core');
        const keyId = KekFile.open(config.kek.path).addKey();
        println(ctx.io.stdout, `vaultmark: new key-encryption key ${keyId}`);
        println(
          ctx.io.stdout,
          'vaultmark: the running server re-wraps every data key under it within 10 s (see its log)',
        );
        return;
      }
      const { vault, addDeploymentKey } = configured;
      try {
        const status = await vault.keys.rotationStatus();
        if (status?.state === 'running' && status.targetKeyId === vault.keys.deploymentKeyId()) {
          println(ctx.io.stdout, `vaultmark: resuming the re-wrap to ${status.targetKeyId}`);
        } else if (options.newKey && addDeploymentKey) {
          println(ctx.io.stdout, `vaultmark: new key-encryption key ${addDeploymentKey()}`);
        }
        const started = Date.now();
        const report = await vault.keys.rewrap({
          batchSize: options.batchSize,
          onBatch: (p) =>
            println(
              ctx.io.stderr,
              `vaultmark: ${p.table}: ${p.rewrapped} re-wrapped${p.failed ? `, ${p.failed} failed` : ''}`,
            ),
        });
        const seconds = (Date.now() - started) / 1000;
        println(
          ctx.io.stdout,
          `vaultmark: ${report.state}: ${report.rewrapped} keys re-wrapped to ${report.targetKeyId} in ${seconds.toFixed(1)} s, ${report.remaining} remaining, ${report.failed} failed`,
        );
        if (report.state !== 'completed') ctx.setExitCode(ExitCode.negative);
      } finally {
        await vault.close();
      }
    });
  keys
    .command('status')
    .description('where the last key rotation stands')
    .option('--data <dir>', 'data directory (embedded database and local key file)')
    .action(async (options: { data?: string }) => {
      const { vault } = await (await open(options.data)).opened();
      try {
        const status = await vault.keys.rotationStatus();
        println(ctx.io.stdout, `current key-encryption key: ${vault.keys.deploymentKeyId()}`);
        if (!status) println(ctx.io.stdout, 'no rotation has run');
        else {
          println(
            ctx.io.stdout,
            `rotation ${status.id}: ${status.state}, to ${status.targetKeyId}, started ${status.startedAt.toISOString()}, ${status.rewrapped} re-wrapped, ${status.remaining} remaining, ${status.failed} failed`,
          );
        }
      } finally {
        await vault.close();
      }
    });
};
