/**
 * Start-up under concurrency: what docker-compose, systemd or Kubernetes do when they start every
 * process of a deployment at the same moment on an empty or an older PostgreSQL database. Exactly
 * one process migrates (the others wait on the migration lock), and all of them come up ready.
 * (An older schema brought up to date by concurrent processes is covered in vault-core's
 * `db/migrate.test.ts`.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrationStatus, openDatabase } from '@vaultmark/vault-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, killHard, schemaUrl, startCli } from '../../test/cli-process.js';
import { Browserless, postgresSchema } from '../../test/vault-server.js';

const url = process.env.TEST_DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-start-'));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

/** knex's record of applied migrations: every name once, and the batches they were applied in. */
async function applied(db: Database): Promise<{ names: string[]; batches: number[] }> {
  const status = await migrationStatus(db);
  expect(status.every((m) => m.state === 'applied')).toBe(true);
  return {
    names: status.map((m) => m.name),
    batches: [...new Set(status.map((m) => m.batch ?? 0))],
  };
}

describe.skipIf(!url)('concurrent start-up on PostgreSQL', () => {
  it('vaultmark serve twice, worker and migrate started at once on an empty schema', async () => {
    const pg = await postgresSchema();
    const admin = await openDatabase({ url: pg.url, schema: pg.schema, poolMax: 1 });
    const processes: CliProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(processes.map(killHard));
      await admin.close();
      await pg.drop();
    });
    const env = {
      DATABASE_URL: schemaUrl(pg.url, pg.schema),
      VAULTMARK_KEK_FILE: join(dir, 'kek.key'),
    };
    // The key file is not there yet: the four processes create it at once and must agree on it.
    const start = (name: string, args: string[]) => {
      const p = startCli([...args, '--data', join(dir, name)], env);
      processes.push(p);
      return p;
    };
    const one = start('one', ['serve', '--no-worker', '--port', '0']);
    const two = start('two', ['serve', '--no-worker', '--port', '0']);
    const worker = start('worker', ['worker']);
    const migrator = start('migrate', ['migrate']);

    const urls = await Promise.all(
      [one, two].map(async (p) => (await p.printed(/listening on (http:\/\/\S+)/))[1] as string),
    );
    await worker.printed(/worker \S+ running/);
    expect((await migrator.exited).code, migrator.output()).toBe(0);
    for (const base of urls) expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // One batch: one of the four processes applied everything, the others found nothing to do.
    const record = await applied(admin);
    expect(record.names[0]).toBe('0001-core');
    expect(record.batches).toEqual([1]);
    // And the deployment works across the servers: one key, so a session and CSRF token made by
    // one server are good on the other.
    const client = new Browserless(urls[0]!, join(dir, 'one', 'outbox'));
    expect((await client.register('start@example.com', 'Start')).status).toBe(201);
    const onTwo = new Browserless(urls[1]!);
    onTwo.cookies = new Map(client.cookies);
    onTwo.csrf = client.csrf;
    const token = await onTwo.json('POST', '/api/auth/tokens', {
      password: 'correct horse battery',
    });
    expect(token.status, JSON.stringify(token.body)).toBe(201);

    for (const p of [one, two, worker]) p.child.kill('SIGTERM');
    const exits = await Promise.all([one, two, worker].map((p) => p.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
  }, 150_000);
});
