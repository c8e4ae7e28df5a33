import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A `vaultmark` command running as a real process, with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `vaultmark <args>` from the sources (tsx and the workspace's source condition, so what
 * runs is the tree under test, not a stale build), with a clean environment plus `env`.
 */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', TZ: 'UTC' };
  for (const name of ['DATABASE_URL', 'PORT', 'VAULTMARK_DATA', 'METRICS_TOKEN', 'SMTP_URL']) {
    delete base[name];
  }
  const child = spawn(
    process.execPath,
    [
      '--conditions=@vaultmark/source',
      '--import',
      'tsx',
      `${root}packages/cli/src/bin.ts`,
      ...args,
    ],
    { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    async printed(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          throw new Error(`vaultmark ${args.join(' ')} did not print ${pattern}:\n${out}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** SIGKILLs a process that is still running and waits until it is gone. */
export async function killHard(p: CliProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

/**
 * A `DATABASE_URL` whose connections use `schema` (libpq's `options` parameter, which
 * node-postgres passes to the server), as a deployment would to keep Vaultmark in its own schema.
 */
export function schemaUrl(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}
