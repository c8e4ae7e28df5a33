import type { Command } from 'commander';
import type { CliIo } from './io.js';

/** What a subcommand gets to do its work. */
export interface CommandContext {
  io: CliIo;
  /** Sets the process exit code for this run (0 ok, 1 negative result, 2 error). */
  setExitCode(code: number): void;
}

/** A subcommand registers itself on the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;
