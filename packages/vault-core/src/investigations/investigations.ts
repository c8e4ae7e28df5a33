import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { appendActorAudit } from '../audit/audit-log.js';
import { cleanFileName } from '../catalog/track-input.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import { DEFAULT_INVESTIGATION_POLICY, type VaultDeps } from '../deps.js';
import { NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { enqueueJob } from '../jobs/job-queue.js';
import { discardSealed, recordObject, sealObject } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import type { InvestigationResult } from './investigation-result.js';

/** State of an investigation. */
export type InvestigationStatus = 'queued' | 'running' | 'done' | 'failed';

/** An investigation as returned to its organization. */
export interface Investigation {
  id: string;
  status: InvestigationStatus;
  /** 0..1 while running, 1 when done. */
  progress: number;
  fileName: string;
  sizeBytes: number;
  /** SHA-256 of the uploaded file, for the evidence report. */
  fileSha256: string;
  createdAt: Date;
  createdBy: string | null;
  completedAt: Date | null;
  /** Why it failed (e.g. the file is not audio), when `status` is `failed`. */
  error: string | null;
  /** The finding, when `status` is `done`. */
  result: InvestigationResult | null;
}

const HOUR = 3600_000;

// biome-ignore lint/suspicious/noExplicitAny: database row
function toInvestigation(r: any): Investigation {
  const jobFailed = r.job_state === 'failed' && r.status !== 'done';
  const status: InvestigationStatus = jobFailed ? 'failed' : r.status;
  return {
    id: r.id,
    status,
    progress: status === 'done' ? 1 : Number(r.job_progress ?? 0),
    fileName: r.file_name,
    sizeBytes: Number(r.size_bytes),
    fileSha256: r.file_sha256,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
    error: r.error ?? (jobFailed ? 'the investigation could not be completed' : null),
    result: r.result ?? null,
  };
}

function withJob(tx: Tx) {
  return tx('investigations')
    .leftJoin('jobs', 'jobs.id', 'investigations.job_id')
    .select('investigations.*', 'jobs.state as job_state', 'jobs.progress as job_progress');
}

async function rateLimit(tx: Tx, now: Date, perHour: number): Promise<void> {
  const recent = await tx('investigations')
    .where('created_at', '>', new Date(now.getTime() - HOUR))
    .orderBy('created_at')
    .select('created_at');
  if (recent.length >= perHour) {
    const oldest = new Date(recent[recent.length - perHour].created_at).getTime();
    throw new RateLimitedError(
      (oldest + HOUR - now.getTime()) / 1000,
      `at most ${perHour} investigations per hour`,
    );
  }
}

/** Passes bytes through and fails once more than `max` have gone by. */
function sizeCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      seen += chunk.length;
      if (seen > max) cb(new ValidationError(`the file is larger than ${max} bytes`, 'file'));
      else cb(null, chunk);
    },
  });
}

async function openInput(file: Readable | string): Promise<Readable> {
  if (file instanceof Readable) return file;
  if (typeof file !== 'string' || file.length === 0) {
    throw new ValidationError('file must be a stream or a path', 'file');
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    throw new ValidationError('file not found', 'file');
  }
  return createReadStream(file);
}

/**
 * Starts a leak investigation of found audio: the file is stored encrypted (an `upload`
 * object), an `investigations` row records it, and a job on the `investigation` queue searches
 * it for every watermark key of the organization (see `runInvestigation`). Files over the size
 * cap are refused while they stream (`invalid_input`, field `file`); an organization may start
 * `perHour` investigations per hour (`rate_limited`).
 */
export async function startInvestigation(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'investigations'>,
  actor: Actor,
  input: { file: Readable | string; fileName?: string | null; sizeBytes?: number | null },
): Promise<Investigation> {
  authorize(actor, 'investigation', 'create');
  const policy = deps.investigations ?? DEFAULT_INVESTIGATION_POLICY;
  const fileName = cleanFileName(input?.fileName) ?? 'found-audio';
  const declared = input?.sizeBytes;
  if (declared != null && (!Number.isFinite(declared) || declared < 0)) {
    throw new ValidationError('sizeBytes must be a number of bytes', 'sizeBytes');
  }
  if (declared != null && declared > policy.maxBytes) {
    throw new ValidationError(`the file is larger than ${policy.maxBytes} bytes`, 'file');
  }
  // Refuse early, before storing anything; checked again under a lock when recording.
  await withTenant(deps.db, actor.tenantId, (tx) =>
    rateLimit(tx, deps.clock.now(), policy.perHour),
  );
  const source = await openInput(input.file);
  const capped = sizeCap(policy.maxBytes);
  source.on('error', (e) => capped.destroy(e));
  const sealed = await sealObject(deps, actor.tenantId, source.pipe(capped));
  if (sealed.sizeBytes === 0) {
    await discardSealed(deps, sealed);
    throw new ValidationError('the file is empty', 'file');
  }
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const now = deps.clock.now();
      await tx('organizations').where({ id: actor.tenantId }).forUpdate().first('id');
      await rateLimit(tx, now, policy.perHour);
      const object = await recordObject(tx, now, actor, 'upload', sealed);
      const id = randomUUID();
      const jobId = await enqueueJob(tx, now, {
        tenantId: actor.tenantId,
        queue: 'investigation',
        idempotencyKey: id,
        payload: { investigationId: id },
        maxAttempts: 2,
      });
      await tx('investigations').insert({
        id,
        tenant_id: actor.tenantId,
        created_by: actor.userId,
        object_id: object.id,
        job_id: jobId,
        file_name: fileName,
        size_bytes: object.sizeBytes,
        file_sha256: object.sha256,
        status: 'queued',
        created_at: now,
      });
      await appendActorAudit(tx, now, actor, {
        action: 'investigation.create',
        objectType: 'investigation',
        objectId: id,
        detail: { sizeBytes: object.sizeBytes },
      });
      return toInvestigation(await withJob(tx).where('investigations.id', id).first());
    });
  } catch (e) {
    await discardSealed(deps, sealed);
    throw e;
  }
}

/** One investigation of the actor's organization; another tenant's id is "not found". */
export async function getInvestigation(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<Investigation> {
  authorize(actor, 'investigation', 'read');
  const row = isUuid(id)
    ? await withTenant(deps.db, actor.tenantId, (tx) =>
        withJob(tx).where('investigations.id', id).first(),
      )
    : undefined;
  if (!row) throw new NotFoundError('investigation');
  return toInvestigation(row);
}

/** The organization's investigations, newest first. */
export async function listInvestigations(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
  page: { limit?: number; offset?: number } = {},
): Promise<Investigation[]> {
  authorize(actor, 'investigation', 'read');
  const limit = Math.min(Math.max(1, Math.trunc(page.limit ?? 50)), 200);
  const offset = Math.max(0, Math.trunc(page.offset ?? 0));
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    withJob(tx)
      .orderBy([{ column: 'investigations.created_at', order: 'desc' }, 'investigations.id'])
      .limit(limit)
      .offset(offset),
  );
  return rows.map(toInvestigation);
}
