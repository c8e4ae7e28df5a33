import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import { type Tx, withSystem } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { WRAPPED_KEYS, type WrappedKeyColumn } from './wrapped-keys.js';

/** Where a re-wrap of every data key stands. */
export interface KeyRotationProgress {
  /** Id of the rotation (also the object id of its audit events). */
  id: string;
  /** The deployment key every key without an organization key is moved to. */
  targetKeyId: string;
  state: 'running' | 'completed' | 'superseded';
  /** Keys re-wrapped so far by this rotation. */
  rewrapped: number;
  /** Keys that could not be re-wrapped in the last pass (an organization's key disabled, ...). */
  failed: number;
  /** Keys still wrapped by another key than the one they belong under. */
  remaining: number;
  startedAt: Date;
  completedAt: Date | null;
}

/** Options of {@link rewrapKeys}. */
export interface RewrapOptions {
  /** Keys re-wrapped per transaction (default 500). */
  batchSize?: number;
  /** Stop after this many batches (the rotation stays `running`; the next call resumes it). */
  maxBatches?: number;
  /** Called after each committed batch. */
  onBatch?(progress: { table: string; rewrapped: number; failed: number }): void;
}

const ZERO_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Lets pending I/O callbacks run. The embedded database (PGlite) works on this thread and the
 * local KEK resolves at once, so a re-wrap would otherwise hold the event loop from one batch to
 * the next, and a server's reads in the same process (their file reads, their queries) would wait
 * for the whole rotation.
 */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The key a column's rows belong under: the organization's own key when it has one, else the
 * deployment key bound as the last parameter. SQL over the row alias `t`.
 */
function targetSql(col: WrappedKeyColumn): string {
  return col.tenant
    ? `COALESCE((SELECT k.key_id FROM organization_keys k WHERE k.tenant_id = t.${col.tenant}), ?)`
    : '?';
}

function pendingSql(col: WrappedKeyColumn): string {
  const only = col.only ? ` AND ${col.only}` : '';
  return `t.${col.wrapped} IS NOT NULL AND t.${col.kekId} <> ${targetSql(col)}${only}`;
}

/** Keys not yet under the key they belong under (deployment key or organization key). */
export async function countPendingKeys(
  tx: Tx,
  deploymentKeyId: string,
  tenantId?: string,
): Promise<number> {
  let total = 0;
  for (const col of WRAPPED_KEYS) {
    if (tenantId && !col.tenant) continue;
    const scope = tenantId ? ` AND t.${col.tenant} = ?` : '';
    const r = await tx.raw(
      `SELECT count(*)::int AS n FROM ${col.table} t WHERE ${pendingSql(col)}${scope}`,
      tenantId ? [deploymentKeyId, tenantId] : [deploymentKeyId],
    );
    total += Number(r.rows[0].n);
  }
  return total;
}

/**
 * Re-wraps every stored data key (objects' keys, watermark, signing and TOTP keys) that is not
 * under the key it belongs under, online: reads go on throughout, since the key ring still holds
 * the old key and each key records which key wrapped it. Work goes in batches, one transaction
 * each, which also records the progress (a cursor per table), so a run that is stopped or dies
 * continues where it was when started again. A key being erased meanwhile stays erased (each
 * update requires the row to be unchanged). Each batch writes one `keys.rewrap` audit event per
 * organization it touched. A pass over every table repeats while keys are left that it could
 * move (keys written by a server that had not yet seen the new key); keys it cannot unwrap are
 * counted as failed, audited, and left for a later run.
 */
export async function rewrapKeys(
  deps: Pick<VaultDeps, 'db' | 'keys' | 'clock'>,
  options: RewrapOptions = {},
): Promise<KeyRotationProgress> {
  const batchSize = options.batchSize ?? 500;
  const target = deps.keys.deploymentKeyId();
  let rotation = await withSystem(deps.db, async (tx) => {
    const running = await tx('key_rotations').where({ state: 'running' }).forUpdate().first();
    if (running?.target_key_id === target) return running;
    const now = deps.clock.now();
    if (running) {
      await tx('key_rotations')
        .where({ id: running.id })
        .update({ state: 'superseded', updated_at: now });
    }
    const row = {
      id: randomUUID(),
      target_key_id: target,
      state: 'running',
      cursors: {},
      rewrapped: 0,
      failed: 0,
      passes: 0,
      started_at: now,
      updated_at: now,
      completed_at: null,
    };
    await tx('key_rotations').insert({ ...row, cursors: JSON.stringify(row.cursors) });
    return row;
  });
  const id = rotation.id as string;
  const cursors: Record<string, string> = { ...(rotation.cursors ?? {}) };
  let batches = 0;
  for (;;) {
    let passRewrapped = 0;
    for (const col of WRAPPED_KEYS) {
      for (;;) {
        if (options.maxBatches !== undefined && batches >= options.maxBatches) {
          return rotationProgress(deps, id);
        }
        const done = await rewrapBatch(deps, { rotationId: id }, col, cursors, target, batchSize);
        if (!done) break;
        batches++;
        passRewrapped += done.rewrapped;
        options.onBatch?.({ table: col.name, ...done });
      }
    }
    // A pass is over: start the next one from the top, or finish.
    for (const k of Object.keys(cursors)) delete cursors[k];
    rotation = await withSystem(deps.db, async (tx) => {
      const remaining = await countPendingKeys(tx, target);
      const now = deps.clock.now();
      const update =
        remaining === 0
          ? { state: 'completed', completed_at: now }
          : passRewrapped > 0
            ? { failed: 0 }
            : {};
      await tx('key_rotations')
        .where({ id })
        .update({ ...update, cursors: '{}', passes: tx.raw('passes + 1'), updated_at: now });
      return { remaining };
    });
    if (rotation.remaining === 0 || passRewrapped === 0) return rotationProgress(deps, id);
  }
}

/**
 * One batch of a column after its cursor: unwrap and wrap outside any transaction (a KMS call
 * may take a while), then write the new wrapped keys, the cursor and the audit events in one
 * transaction. Returns undefined when the column has nothing left after the cursor.
 */
async function rewrapBatch(
  deps: Pick<VaultDeps, 'db' | 'keys' | 'clock'>,
  scope: { rotationId?: string; tenantId?: string },
  col: WrappedKeyColumn,
  cursors: Record<string, string>,
  target: string,
  batchSize: number,
): Promise<{ rewrapped: number; failed: number } | undefined> {
  const tenantCol = col.tenant ? `, t.${col.tenant} AS tenant_id` : '';
  const inTenant = scope.tenantId ? ` AND t.${col.tenant} = ?` : '';
  const params = [target, ...(scope.tenantId ? [scope.tenantId] : [])];
  const rows = await withSystem(
    deps.db,
    async (tx) =>
      (
        await tx.raw(
          `SELECT t.id, t.${col.wrapped} AS wrapped, t.${col.kekId} AS kek_id${tenantCol}
         FROM ${col.table} t WHERE ${pendingSql(col)}${inTenant} AND t.id > ?
         ORDER BY t.id LIMIT ?`,
          [...params, cursors[col.name] ?? ZERO_ID, batchSize],
        )
      ).rows,
  );
  if (rows.length === 0) return undefined;
  const moved: Array<{ row: (typeof rows)[number]; wrapped: Uint8Array; keyId: string }> = [];
  const failedBy = new Map<string | null, number>();
  for (const [i, row] of rows.entries()) {
    if (i % 16 === 0) await yieldToIo();
    const context = col.context(row);
    try {
      const key = await deps.keys.unwrap(row.wrapped, context, row.kek_id);
      const next = await deps.keys.wrap(key, context);
      key.fill(0);
      moved.push({ row, ...next });
    } catch {
      const tenant = (row.tenant_id as string | undefined) ?? null;
      failedBy.set(tenant, (failedBy.get(tenant) ?? 0) + 1);
    }
  }
  let rewrapped = 0;
  const failed = [...failedBy.values()].reduce((a, b) => a + b, 0);
  await withSystem(deps.db, async (tx) => {
    const now = deps.clock.now();
    const movedBy = new Map<string | null, Set<string>>();
    let count = new Map<string | null, number>();
    // One statement for the batch; a row changed meanwhile (erased, re-wrapped) is left alone.
    const updated = new Set<string>();
    if (moved.length > 0) {
      const values = moved.map(() => '(?::uuid, ?::bytea, ?::text, ?::text, ?::bytea)').join(', ');
      const result = await tx.raw(
        `UPDATE ${col.table} AS t SET ${col.wrapped} = v.wrapped, ${col.kekId} = v.key_id
         FROM (VALUES ${values}) AS v(id, wrapped, key_id, old_key_id, old_wrapped)
         WHERE t.id = v.id AND t.${col.kekId} = v.old_key_id AND t.${col.wrapped} = v.old_wrapped
         RETURNING t.id`,
        moved.flatMap((m) => [
          m.row.id,
          Buffer.from(m.wrapped),
          m.keyId,
          m.row.kek_id,
          m.row.wrapped,
        ]),
      );
      for (const r of result.rows) updated.add(r.id as string);
    }
    for (const m of moved) {
      if (!updated.has(m.row.id)) continue;
      rewrapped++;
      const tenant = (m.row.tenant_id as string | undefined) ?? null;
      count.set(tenant, (count.get(tenant) ?? 0) + 1);
      const ids = movedBy.get(tenant) ?? new Set<string>();
      ids.add(m.keyId);
      movedBy.set(tenant, ids);
    }
    count = new Map([...count].filter(([tenant]) => tenant !== null));
    for (const [tenant, n] of count) {
      await appendAudit(tx, now, {
        tenantId: tenant as string,
        actorId: null,
        action: 'keys.rewrap',
        objectType: 'key_rotation',
        objectId: scope.rotationId ?? null,
        detail: { keys: col.name, count: n, keyIds: [...(movedBy.get(tenant) ?? [])] },
      });
    }
    for (const [tenant, n] of failedBy) {
      if (tenant === null) continue;
      await appendAudit(tx, now, {
        tenantId: tenant,
        actorId: null,
        action: 'keys.rewrap_failed',
        objectType: 'key_rotation',
        objectId: scope.rotationId ?? null,
        detail: { keys: col.name, count: n },
      });
    }
    cursors[col.name] = rows[rows.length - 1].id;
    if (!scope.rotationId) return;
    await tx('key_rotations')
      .where({ id: scope.rotationId })
      .update({
        cursors: JSON.stringify(cursors),
        rewrapped: tx.raw('rewrapped + ?', [rewrapped]),
        failed: tx.raw('failed + ?', [failed]),
        updated_at: now,
      });
  });
  await yieldToIo();
  return { rewrapped, failed };
}

/**
 * Re-wraps one organization's keys to the key they belong under (its own KMS key once it has
 * one, the deployment key once it has none), in batches, each audited in its trail. Nothing is
 * recorded in `key_rotations`: the keys not yet moved are the progress, so running it again
 * continues. Returns the keys moved and those that could not be.
 */
export async function rewrapOrganizationKeys(
  deps: Pick<VaultDeps, 'db' | 'keys' | 'clock'>,
  tenantId: string,
  batchSize = 500,
): Promise<{ rewrapped: number; failed: number }> {
  const target = deps.keys.deploymentKeyId();
  const cursors: Record<string, string> = {};
  let rewrapped = 0;
  let failed = 0;
  for (const col of WRAPPED_KEYS) {
    if (!col.tenant) continue;
    for (;;) {
      const done = await rewrapBatch(deps, { tenantId }, col, cursors, target, batchSize);
      if (!done) break;
      rewrapped += done.rewrapped;
      failed += done.failed;
    }
  }
  return { rewrapped, failed };
}

/** The latest rotation with its remaining keys, or undefined when none ever ran. */
export async function keyRotationStatus(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
): Promise<KeyRotationProgress | undefined> {
  const row = await withSystem(deps.db, (tx) =>
    tx('key_rotations').orderBy('started_at', 'desc').first(),
  );
  return row ? rotationProgress(deps, row.id) : undefined;
}

async function rotationProgress(
  deps: Pick<VaultDeps, 'db' | 'keys'>,
  id: string,
): Promise<KeyRotationProgress> {
  return withSystem(deps.db, async (tx) => {
    const r = await tx('key_rotations').where({ id }).first();
    return {
      id: r.id,
      targetKeyId: r.target_key_id,
      state: r.state,
      rewrapped: Number(r.rewrapped),
      failed: Number(r.failed),
      remaining: await countPendingKeys(tx, deps.keys.deploymentKeyId()),
      startedAt: new Date(r.started_at),
      completedAt: r.completed_at ? new Date(r.completed_at) : null,
    };
  });
}

/** Id of the deployment key new keys are wrapped with (organizations without their own key). */
export function deploymentKeyId(deps: Pick<VaultDeps, 'keys'>): string {
  return deps.keys.deploymentKeyId();
}
