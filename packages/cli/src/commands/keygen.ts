import { open } from 'node:fs/promises';
import { generateKey, serializeKey } from '@vaultmark/watermark';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { CliError } from '../errors.js';
import { println } from '../io.js';

/** `vaultmark keygen [--name NAME] KEYFILE`: writes a new watermark key, readable only by you. */
export const registerKeygen: RegisterCommand = (program: Command, ctx) => {
  program
    .command('keygen')
    .description('create a watermark key (a 256-bit secret and a name) in KEYFILE')
    .option('--name <name>', 'name the detector reports for this key', 'default')
    .option('--force', 'overwrite KEYFILE if it exists')
    .argument('<keyfile>', 'where to write the key (created with mode 0600)')
    .action(async (keyfile: string, options: { name: string; force?: boolean }) => {
      const key = generateKey({ name: options.name });
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(keyfile, options.force ? 'w' : 'wx', 0o600);
      } catch (error) {
        if ((error as { code?: string }).code === 'EEXIST') {
          throw new CliError('file_exists', `${keyfile} exists; use --force to overwrite it`);
        }
        throw error;
      }
      try {
        await handle.chmod(0o600);
        await handle.writeFile(serializeKey(key));
      } finally {
        await handle.close();
      }
      println(ctx.io.stderr, `wrote key "${key.name}" to ${keyfile}; keep it secret`);
    });
};
