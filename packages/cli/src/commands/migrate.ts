import type { MigrationReport } from '@vaultmark/server';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { ExitCode } from '../errors.js';
import { println } from '../io.js';

/**
 * `vaultmark migrate [--status] [--data DIR]`: applies the database's pending migrations (every
 * server and worker also does at start, under the same lock, so this step is optional; it lets a
 * deployment migrate before rolling out new processes), or with `--status` lists each migration
 * as applied, pending or unknown (applied by a newer release) and exits 1 when any is pending.
 */
export const registerMigrate: RegisterCommand = (program: Command, ctx) => {
  program
    .command('migrate')
    .description('apply pending database migrations (--status: list applied and pending)')
    .option('--status', 'list migrations without applying any; exit 1 when some are pending')
    .option('--data <dir>', 'data directory of the embedded database (without DATABASE_URL)')
    .action(async (options: { status?: boolean; data?: string }) => {
      // The server (and its database drivers) loads only for the commands that run it.
      const { loadConfig, migrateDatabase } = await import('@vaultmark/server');
      const config = loadConfig(ctx.io.env, {
        ...(options.data !== undefined ? { dataDir: options.data } : {}),
        cwd: ctx.io.cwd,
      });
      const where = config.databaseUrl ? 'PostgreSQL' : `embedded, data in ${config.dataDir}`;
      let told = false;
      const report = await migrateDatabase(config, {
        apply: !options.status,
        onUnreachable: (error) => {
          if (told) return;
          told = true;
          const reason = error instanceof Error ? error.message : String(error);
          println(
            ctx.io.stderr,
            `vaultmark: waiting for PostgreSQL to accept connections (${reason})`,
          );
        },
        onWait: (pid) =>
          println(
            ctx.io.stderr,
            `vaultmark: another process${pid ? ` (backend ${pid})` : ''} is migrating; waiting for it`,
          ),
      });
      if (options.status) {
        for (const line of statusLines(report)) println(ctx.io.stdout, line);
        const pending = report.status.filter((m) => m.state === 'pending').length;
        println(ctx.io.stdout, `vaultmark: ${summary(report)} (${where})`);
        if (pending > 0) ctx.setExitCode(ExitCode.negative);
        return;
      }
      const applied = report.run?.applied ?? [];
      for (const name of applied) println(ctx.io.stdout, `applied  ${name}`);
      if (report.run?.unknown.length) {
        println(
          ctx.io.stdout,
          `vaultmark: the database is ahead of this version (${report.run.unknown.join(', ')}); nothing applied`,
        );
      }
      println(
        ctx.io.stdout,
        applied.length > 0
          ? `vaultmark: applied ${plural(applied.length)}; ${summary(report)} (${where})`
          : `vaultmark: up to date; ${summary(report)} (${where})`,
      );
    });
};

/** One line per migration: state, name, and when and in which batch it was applied. */
function statusLines(report: MigrationReport): string[] {
  const width = Math.max(...report.status.map((m) => m.name.length));
  return report.status.map((m) => {
    const name = m.name.padEnd(width);
    if (m.state === 'pending') return `pending  ${name}`.trimEnd();
    const when = m.appliedAt ? m.appliedAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
    return `${m.state.padEnd(7)}  ${name}  ${when}  batch ${m.batch}`;
  });
}

function summary(report: MigrationReport): string {
  const count = (state: string) => report.status.filter((m) => m.state === state).length;
  const unknown = count('unknown');
  return `${count('applied')} applied, ${count('pending')} pending${unknown ? `, ${unknown} unknown (from a newer release)` : ''}`;
}

function plural(n: number): string {
  return `${n} migration${n === 1 ? '' : 's'}`;
}
