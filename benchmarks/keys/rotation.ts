/**
 * KEK rotation online: how fast every data key is re-wrapped, and what it costs readers.
 *
 * A vault on the embedded defaults (PGlite on disk, local blobs, the local key file; or
 * PostgreSQL with `--database URL`) holds `--keys` wrapped data keys: `--real` objects stored
 * through the catalog (readable end to end), the rest object rows whose data keys are wrapped by
 * the vault like any other (their blobs are never read). Then, in one run:
 *
 * 1. idle: `--reads` reads of the real objects (`vault.objects.read`: the row, the audit event,
 *    the unwrap, decrypting the 1 KiB blob to the end), one at a time;
 * 2. rotation: a new KEK is added to the key file and `vault.keys.rewrap()` runs while the same
 *    reader loop keeps reading; keys/s = keys re-wrapped / wall time of the re-wrap;
 * 3. idle again (after), to see the machine did not drift.
 *
 * Read latency is reported as median and p95 in milliseconds, during rotation and idle, with the
 * ratio. One process; the reader and the re-wrap share its event loop and the database
 * connection (PGlite has one), as a server and an operator's `vaultmark keys rotate` sharing one
 * embedded database would not: with PostgreSQL they are separate processes in production.
 *
 *   pnpm --filter @vaultmark/benchmarks run bench:keys \
 *     [--keys 5000] [--real 50] [--reads 300] [--batch 500] [--database postgres://...]
 *
 * With `--database`, give it a schema of its own (it migrates and fills it), e.g.
 * `postgres://.../db?options=-c%20search_path%3Dbench_rotation` after `CREATE SCHEMA
 * bench_rotation`, and drop the schema afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { KekFile, openVault } from '@vaultmark/vault-core';
import { vaultDeps, withSystem } from '@vaultmark/vault-core/testing';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '5000' },
    real: { type: 'string', default: '50' },
    reads: { type: 'string', default: '300' },
    batch: { type: 'string', default: '500' },
    database: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const total = Number(values.keys);
const real = Number(values.real);
const reads = Number(values.reads);
const dir = mkdtempSync(join(tmpdir(), 'vm-rotation-'));
const vault = await openVault({
  dataDir: dir,
  ...(values.database ? { databaseUrl: values.database } : {}),
});
const deps = vaultDeps(vault);

try {
  const reg = await vault.accounts.register({
    email: `rotation-${randomUUID()}@example.org`,
    password: 'a long enough password',
    displayName: 'Rotation',
  });
  const actor = await vault.accounts.resolveActor(reg.userId, reg.organizationId);
  for (let i = 0; i < real; i++) {
    await vault.catalog.uploadTrack(actor, {
      body: Readable.from([randomBytes(1024)]),
      title: `Take ${i}`,
    });
  }
  const readable = (
    await withSystem(deps.db, (tx) =>
      tx('objects').where({ tenant_id: actor.tenantId }).select('id'),
    )
  ).map((r) => r.id as string);
  // The rest: rows whose data keys the vault wraps as usual (the rotation only touches keys).
  for (let done = readable.length; done < total; ) {
    const rows = [];
    for (let i = 0; i < 500 && done < total; i++, done++) {
      const id = randomUUID();
      const { wrapped, keyId } = await deps.keys.wrap(randomBytes(32), {
        tenantId: actor.tenantId,
        objectId: id,
      });
      rows.push({
        id,
        tenant_id: actor.tenantId,
        kind: 'master',
        // No blob behind it: these keys are re-wrapped, never read.
        storage_key: `t/${actor.tenantId}/obj/${id}`,
        kek_id: keyId,
        wrapped_key: Buffer.from(wrapped),
        size_bytes: 1024,
        plaintext_sha256: '0'.repeat(64),
        created_at: new Date(),
      });
    }
    await withSystem(deps.db, (tx) => tx('objects').insert(rows));
  }

  const readOnce = async (i: number) => {
    const started = performance.now();
    const { stream } = await vault.objects.read(actor, readable[i % readable.length]!);
    for await (const _ of stream) {
      // read to the end
    }
    return performance.now() - started;
  };
  const idle = async () => {
    const ms: number[] = [];
    for (let i = 0; i < reads; i++) ms.push(await readOnce(i));
    return ms;
  };

  for (let i = 0; i < 20; i++) await readOnce(i); // warm-up
  const idleBefore = await idle();

  // As `vaultmark keys rotate` in another process would: the vault sees the new key within 1 s.
  const newKey = KekFile.open(join(dir, 'kek.hex')).addKey();
  await new Promise((r) => setTimeout(r, 1100));
  const during: number[] = [];
  let rotating = true;
  const reader = (async () => {
    for (let i = 0; rotating; i++) during.push(await readOnce(i));
  })();
  const started = performance.now();
  const report = await vault.keys.rewrap({ batchSize: Number(values.batch) });
  const rotationMs = performance.now() - started;
  rotating = false;
  await reader;
  const idleAfter = await idle();

  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  };
  const idleAll = [...idleBefore, ...idleAfter];
  const result = {
    engine: values.database ? 'postgres' : 'pglite',
    keys: report.rewrapped,
    state: report.state,
    newKey,
    rotationSeconds: rotationMs / 1000,
    keysPerSecond: report.rewrapped / (rotationMs / 1000),
    readsDuringRotation: during.length,
    readMs: {
      idleBefore: { median: q(idleBefore, 0.5), p95: q(idleBefore, 0.95) },
      during: { median: q(during, 0.5), p95: q(during, 0.95) },
      idleAfter: { median: q(idleAfter, 0.5), p95: q(idleAfter, 0.95) },
    },
    ratioDuringToIdle: {
      median: q(during, 0.5) / q(idleAll, 0.5),
      p95: q(during, 0.95) / q(idleAll, 0.95),
    },
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(values.out as string, { recursive: true });
  writeFileSync(
    join(values.out as string, `key-rotation-${result.engine}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
} finally {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
}
