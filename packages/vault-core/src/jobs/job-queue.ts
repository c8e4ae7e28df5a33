import { randomUUID } from 'node:crypto';
import { isUuid, type Tx, withSystem, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';

/** Queues the vault runs. */
export type QueueName =
  | 'analysis'
  | 'watermark'
  | 'purge'
  | 'investigation'
  | 'stems'
  | 'export'
  | 'previews';

/** A job as seen by workers and owners. */
export interface Job {
  id: string;
  tenantId: string;
  queue: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  maxAttempts: number;
  progress: number;
  result: unknown;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What to enqueue. */
export interface EnqueueInput {
  tenantId: string;
  queue: QueueName;
  /** Same (tenant, queue, key) twice yields the one existing job: enqueueing is idempotent. */
  idempotencyKey: string;
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  runAfter?: Date;
}

/**
 * Enqueues a job inside the caller's (tenant) transaction, so the job exists exactly when the
 * change that needs it commits. Returns the job id (the existing one for a repeated key).
 */
export async function enqueueJob(tx: Tx, at: Date, input: EnqueueInput): Promise<string> {
  const id = randomUUID();
  await tx.raw(
    `INSERT INTO jobs (id, tenant_id, queue, idempotency_key, payload, max_attempts, run_after, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, queue, idempotency_key) DO NOTHING`,
    [
      id,
      input.tenantId,
      input.queue,
      input.idempotencyKey,
      JSON.stringify(input.payload ?? {}),
      input.maxAttempts ?? 3,
      input.runAfter ?? at,
      at,
      at,
    ],
  );
  const row = await tx('jobs')
    .where({ tenant_id: input.tenantId, queue: input.queue, idempotency_key: input.idempotencyKey })
    .first('id');
  return row.id as string;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
export function toJob(r: any): Job {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    queue: r.queue,
    idempotencyKey: r.idempotency_key,
    payload: r.payload ?? {},
    state: r.state,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    progress: Number(r.progress),
    // Both drivers return jsonb already parsed.
    result: r.result ?? null,
    error: r.error,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/**
 * Claims the next ready job of the given queues with `FOR UPDATE SKIP LOCKED`, so concurrent
 * workers on one PostgreSQL never take the same job. A claim is a lease: a job whose worker
 * died (lease expired, e.g. after a restart) is claimable again. Attempts count claims.
 */
export async function claimJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  queues: readonly QueueName[],
  workerId: string,
  leaseMs = JOB_LEASE_MS,
): Promise<Job | null> {
  const now = deps.clock.now();
  return withSystem(deps.db, async (tx) => {
    const res = await tx.raw(
      `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
       WHERE id = (
         SELECT id FROM jobs
         WHERE queue = ANY(?::text[]) AND attempts < max_attempts AND (
           (state = 'queued' AND run_after <= ?) OR (state = 'running' AND locked_until <= ?))
         ORDER BY run_after, created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [workerId, new Date(now.getTime() + leaseMs), now, [...queues], now, now],
    );
    const row = res.rows[0];
    return row ? toJob(row) : null;
  });
}

/** Lease of a claimed job: without progress reports for this long, the job is claimable again. */
export const JOB_LEASE_MS = 5 * 60_000;

/**
 * Reports progress (0..1) of a running job held by `workerId`, and renews its lease to at least
 * {@link JOB_LEASE_MS} from now: a worker that reports progress is alive, so a long job (a long
 * investigation on a loaded machine) is not taken over while it runs.
 */
export async function reportProgress(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  jobId: string,
  workerId: string,
  progress: number,
): Promise<void> {
  const p = Math.min(1, Math.max(0, Number.isFinite(progress) ? progress : 0));
  const now = deps.clock.now();
  await withSystem(deps.db, (tx) =>
    tx('jobs')
      .where({ id: jobId, locked_by: workerId, state: 'running' })
      .update({
        progress: p,
        updated_at: now,
        locked_until: tx.raw('GREATEST(locked_until, ?::timestamptz)', [
          new Date(now.getTime() + JOB_LEASE_MS),
        ]),
      }),
  );
}

/** Marks a job done with its result. */
export async function completeJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  jobId: string,
  workerId: string,
  result: unknown,
): Promise<void> {
  await withSystem(deps.db, (tx) =>
    tx('jobs')
      .where({ id: jobId, locked_by: workerId })
      .update({
        state: 'done',
        progress: 1,
        result: JSON.stringify(result ?? null),
        error: null,
        locked_until: null,
        updated_at: deps.clock.now(),
      }),
  );
}

/**
 * Records a failure: the job is queued again with exponential back-off (30 s x 4^attempt)
 * until it has used its attempts, then it stays `failed`.
 */
export async function failJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  jobId: string,
  workerId: string,
  error: string,
): Promise<void> {
  const now = deps.clock.now();
  await withSystem(deps.db, async (tx) => {
    const job = await tx('jobs').where({ id: jobId, locked_by: workerId }).forUpdate().first();
    if (!job) return;
    const attempts = Number(job.attempts);
    const last = attempts >= Number(job.max_attempts);
    await tx('jobs')
      .where({ id: jobId })
      .update({
        state: last ? 'failed' : 'queued',
        error: error.slice(0, 2000),
        locked_until: null,
        run_after: new Date(now.getTime() + 30_000 * 4 ** (attempts - 1)),
        updated_at: now,
      });
  });
}

/** A job handler: must be idempotent (a job may run again after a crash). */
export type JobHandler = (job: Job, progress: (p: number) => Promise<void>) => Promise<unknown>;

/**
 * Claims and runs one job of the handled queues. Returns whether a job ran. A worker loop calls
 * this until it returns false, then sleeps; several workers on several machines may do so.
 */
export async function runNextJob(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  handlers: Partial<Record<QueueName, JobHandler>>,
  workerId: string,
): Promise<boolean> {
  const queues = Object.keys(handlers) as QueueName[];
  const job = await claimJob(deps, queues, workerId);
  if (!job) return false;
  const handler = handlers[job.queue as QueueName] as JobHandler;
  try {
    const result = await handler(job, (p) => reportProgress(deps, job.id, workerId, p));
    await completeJob(deps, job.id, workerId, result);
  } catch (e) {
    await failJob(deps, job.id, workerId, e instanceof Error ? e.message : String(e));
  }
  return true;
}

/** A job of the actor's tenant (progress, result); another tenant's job is "not found". */
export async function getJob(
  deps: Pick<VaultDeps, 'db'>,
  actor: { tenantId: string },
  jobId: string,
): Promise<Job> {
  const row = await withTenant(deps.db, actor.tenantId, async (tx) =>
    isUuid(jobId) ? tx('jobs').where({ id: jobId }).first() : undefined,
  );
  if (!row) throw new NotFoundError('job');
  return toJob(row);
}
