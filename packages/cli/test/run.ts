import { PassThrough } from 'node:stream';
import { runCli } from '../src/index.js';

/** The outcome of one in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function run(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: Buffer } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  stdin.end(options.stdin ?? Buffer.alloc(0));
  const code = await runCli(args, {
    stdout,
    stderr,
    stdin,
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
  });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}
