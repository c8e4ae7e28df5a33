import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { versionText } from './commands/version.js';
import type { CommandContext } from './context.js';
import { describeError, ExitCode } from './errors.js';
import { type CliIo, println, processIo } from './io.js';

/**
 * Runs the `vaultmark` command with the given arguments (without `node` and the script path)
 * and resolves to its exit code. Errors are printed as one line, `vaultmark: <code>: <message>`,
 * with the stack trace only under `--debug`.
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const debug = args.includes('--debug');
  const ctx: CommandContext = {
    io,
    setExitCode(code) {
      exitCode = code;
    },
  };
  const program = new Command('vaultmark')
    .description('Forensic audio watermarking and a secure music vault.')
    .option('--debug', 'print stack traces on errors')
    .helpOption('-h, --help', 'show help')
    .addHelpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Usage errors are reported by the catch below in the one-line format.
      outputError: () => {},
    });
  program.option('-V, --version', 'print the version and the active watermark implementation');
  program.on('option:version', () => {
    println(io.stdout, versionText());
    throw new CommanderError(ExitCode.ok, 'vaultmark.version', '');
  });
  for (const register of commands) register(program, ctx);
  program.allowExcessArguments(true).action((_options, command: Command) => {
    const [unknown] = command.args;
    if (unknown !== undefined) {
      throw new CommanderError(
        ExitCode.error,
        'vaultmark.unknownCommand',
        `unknown command '${unknown}'`,
      );
    }
    program.outputHelp();
  });

  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      const message = error.message.replace(/^error:\s*/i, '');
      println(io.stderr, `vaultmark: usage_error: ${oneLine(message)}`);
      return ExitCode.error;
    }
    const { code, message } = describeError(error);
    println(io.stderr, `vaultmark: ${code}: ${message}`);
    if (debug && error instanceof Error && error.stack) println(io.stderr, error.stack);
    return ExitCode.error;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
