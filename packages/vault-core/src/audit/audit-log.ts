import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../crypto/canonical-json.js';
import type { Tx } from '../db/transactions.js';
import { ValidationError } from '../errors.js';

/** What a caller records; identifiers are hashed into the chain so they can be tombstoned. */
export interface AuditInput {
  /** Tenant the event belongs to (the transaction's tenant). */
  tenantId: string;
  /** User who acted; absent for system actions. */
  actorId?: string | null;
  /** Dotted verb, e.g. `track.create`, `object.read`. */
  action: string;
  /** Kind of object acted on, e.g. `track`. */
  objectType?: string | null;
  /** Object id. */
  objectId?: string | null;
  /** Daily-salted HMAC of the client IP (never the raw address). */
  ipHash?: string | null;
  /** Small structured detail; key names that look like secrets or raw addresses are refused. */
  detail?: Record<string, unknown>;
}

/** One stored audit event, as read back. */
export interface AuditEvent {
  chainId: string;
  seq: number;
  tenantId: string | null;
  at: Date;
  actorId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  ipHash: string | null;
  detail: Record<string, unknown>;
  hash: string;
  tombstoned: boolean;
}

/** The first `prev_hash` of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

const FORBIDDEN_DETAIL_KEY =
  /pass|secret|token|credential|cookie|^ip$|ip_?addr|address$|otp|code$/i;

function assertSafeDetail(detail: Record<string, unknown>): void {
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
        if (FORBIDDEN_DETAIL_KEY.test(k)) {
          throw new ValidationError(`audit detail must not carry "${k}"`, 'detail');
        }
        walk(inner);
      }
    }
  };
  walk(detail);
}

/** Digest of the identifying fields; the chain commits to this, not to the identifiers. */
export function subjectDigest(s: {
  tenantId: string | null;
  actorId: string | null;
  objectId: string | null;
  detail: Record<string, unknown>;
}): string {
  return createHash('sha256')
    .update('vaultmark/audit-subject/v1\n')
    .update(canonicalJson(s))
    .digest('hex');
}

/** Hash of one event: SHA-256 over the previous hash and the event's canonical JSON. */
export function eventHash(e: {
  chainId: string;
  seq: number;
  at: Date;
  action: string;
  objectType: string | null;
  ipHash: string | null;
  subjectDigest: string;
  prevHash: string;
}): string {
  const body = canonicalJson({
    v: 1,
    chainId: e.chainId,
    seq: e.seq,
    at: e.at.toISOString(),
    action: e.action,
    objectType: e.objectType,
    ipHash: e.ipHash,
    subject: e.subjectDigest,
  });
  return createHash('sha256').update(e.prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one event to the tenant's chain, inside the caller's transaction (so the event commits
 * or rolls back with the change it records). The chain head row is locked, which serialises
 * concurrent appends per tenant. This is the only writer of `audit_events`.
 */
export async function appendAudit(tx: Tx, at: Date, input: AuditInput): Promise<AuditEvent> {
  const detail = input.detail ?? {};
  assertSafeDetail(detail);
  // The chain's head, created on first use, and locked until commit (an upsert locks the row it
  // returns, as `FOR UPDATE` would): appends to one chain are serialised.
  const head = (
    await tx.raw(
      `INSERT INTO audit_heads (tenant_id, chain_id, seq, hash) VALUES (?, ?, 0, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
       RETURNING chain_id, seq, hash`,
      [input.tenantId, randomUUID(), GENESIS_HASH],
    )
  ).rows[0];
  const seq = Number(head.seq) + 1;
  const ev = {
    chainId: head.chain_id as string,
    seq,
    at,
    action: input.action,
    objectType: input.objectType ?? null,
    ipHash: input.ipHash ?? null,
    prevHash: head.hash as string,
    subjectDigest: subjectDigest({
      tenantId: input.tenantId,
      actorId: input.actorId ?? null,
      objectId: input.objectId ?? null,
      detail,
    }),
  };
  const hash = eventHash(ev);
  const row = {
    chain_id: ev.chainId,
    seq,
    tenant_id: input.tenantId,
    at,
    actor_id: input.actorId ?? null,
    action: ev.action,
    object_type: ev.objectType,
    object_id: input.objectId ?? null,
    ip_hash: ev.ipHash,
    detail,
    subject_digest: ev.subjectDigest,
    prev_hash: ev.prevHash,
    hash,
    tombstoned_at: null,
  };
  // The event and the new head in one statement.
  const insert = tx('audit_events')
    .insert({ ...row, detail: JSON.stringify(detail) })
    .toSQL();
  await tx.raw(
    `WITH event AS (${insert.sql}) UPDATE audit_heads SET seq = ?, hash = ? WHERE tenant_id = ?`,
    [...insert.bindings, seq, hash, input.tenantId],
  );
  return { ...toAuditEvent({ ...row, detail }), at };
}

// biome-ignore lint/suspicious/noExplicitAny: database row
export function toAuditEvent(r: any): AuditEvent {
  return {
    chainId: r.chain_id,
    seq: Number(r.seq),
    tenantId: r.tenant_id,
    at: new Date(r.at),
    actorId: r.actor_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    ipHash: r.ip_hash,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : (r.detail ?? {}),
    hash: r.hash,
    tombstoned: r.tombstoned_at != null,
  };
}

/** Signs audit checkpoints with an HMAC key (derived from the KEK in the embedded default). */
export interface CheckpointSigner {
  readonly keyId: string;
  readonly secret: Uint8Array;
}

function signature(signer: CheckpointSigner, chainId: string, seq: number, hash: string): string {
  return createHmac('sha256', signer.secret)
    .update(`vaultmark/audit-checkpoint/v1\n${chainId}\n${seq}\n${hash}`)
    .digest('hex');
}

/**
 * Records a signed checkpoint of the chain's current head. A later truncation (deleting the
 * newest events and rewinding the head) is then detected, because the checkpointed event is
 * gone or its hash differs. Operators should also copy checkpoints outside the database.
 */
export async function writeAuditCheckpoint(
  tx: Tx,
  tenantId: string,
  at: Date,
  signer: CheckpointSigner,
): Promise<{ chainId: string; seq: number; hash: string; signature: string } | null> {
  const head = await tx('audit_heads').where({ tenant_id: tenantId }).first();
  if (!head || Number(head.seq) === 0) return null;
  const seq = Number(head.seq);
  const sig = signature(signer, head.chain_id, seq, head.hash);
  await tx('audit_checkpoints')
    .insert({
      chain_id: head.chain_id,
      seq,
      tenant_id: tenantId,
      hash: head.hash,
      key_id: signer.keyId,
      signature: sig,
      at,
    })
    .onConflict(['chain_id', 'seq'])
    .ignore();
  return { chainId: head.chain_id, seq, hash: head.hash, signature: sig };
}

/** Outcome of {@link verifyAuditChain}. */
export interface AuditVerification {
  ok: boolean;
  chainId: string | null;
  /** Events checked. */
  events: number;
  /** Checkpoints checked. */
  checkpoints: number;
  /** First problems found (sequence number and reason). */
  problems: Array<{ seq: number; reason: string }>;
}

/**
 * Verifies a chain: contiguous sequence numbers from 1, each `prev_hash` equal to the previous
 * event's hash, each hash recomputed from the event, each subject digest recomputed from the
 * identifiers (unless tombstoned), the head equal to the last event, and every signed checkpoint
 * present and matching. Detects modification, deletion, insertion, reordering and truncation
 * below the newest checkpoint.
 */
export async function verifyAuditChain(
  tx: Tx,
  chain: { tenantId: string } | { chainId: string },
  signer: CheckpointSigner,
): Promise<AuditVerification> {
  let chainId: string | null;
  let head: { seq: number; hash: string } | null = null;
  if ('tenantId' in chain) {
    const h = await tx('audit_heads').where({ tenant_id: chain.tenantId }).first();
    chainId = h?.chain_id ?? null;
    if (h) head = { seq: Number(h.seq), hash: h.hash };
  } else {
    chainId = chain.chainId;
  }
  const problems: AuditVerification['problems'] = [];
  if (!chainId) return { ok: true, chainId: null, events: 0, checkpoints: 0, problems };
  const rows = await tx('audit_events').where({ chain_id: chainId }).orderBy('seq');
  let prev = GENESIS_HASH;
  const hashes = new Map<number, string>();
  rows.forEach((r, i) => {
    const e = toAuditEvent(r);
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) problems.push({ seq: e.seq, reason: `expected seq ${expectedSeq}` });
    if (r.prev_hash !== prev)
      problems.push({ seq: e.seq, reason: 'broken link to previous event' });
    if (!e.tombstoned) {
      const digest = subjectDigest({
        tenantId: e.tenantId,
        actorId: e.actorId,
        objectId: e.objectId,
        detail: e.detail,
      });
      if (digest !== r.subject_digest) problems.push({ seq: e.seq, reason: 'subject altered' });
    }
    const recomputed = eventHash({
      chainId,
      seq: e.seq,
      at: e.at,
      action: e.action,
      objectType: e.objectType,
      ipHash: e.ipHash,
      subjectDigest: r.subject_digest,
      prevHash: r.prev_hash,
    });
    if (recomputed !== e.hash) problems.push({ seq: e.seq, reason: 'event altered' });
    hashes.set(e.seq, e.hash);
    prev = e.hash;
  });
  if (head && (head.seq !== rows.length || (rows.length > 0 && head.hash !== prev))) {
    problems.push({ seq: head.seq, reason: 'head does not match the last event' });
  }
  const cps = await tx('audit_checkpoints').where({ chain_id: chainId }).orderBy('seq');
  for (const c of cps) {
    const seq = Number(c.seq);
    const expected = Buffer.from(signature(signer, chainId, seq, c.hash), 'hex');
    const given = Buffer.from(String(c.signature), 'hex');
    if (
      c.key_id !== signer.keyId ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    ) {
      problems.push({ seq, reason: 'checkpoint signature invalid' });
    } else if (hashes.get(seq) !== c.hash) {
      problems.push({ seq, reason: 'checkpointed event missing or altered (truncation)' });
    }
  }
  return {
    ok: problems.length === 0,
    chainId,
    events: rows.length,
    checkpoints: cps.length,
    problems,
  };
}

/**
 * Tombstones a deleted organization's audit trail (system transaction): identifiers and detail
 * are nulled, the chain head is dropped after a final checkpoint, and the chain still verifies
 * because it commits only to a digest of those fields.
 */
export async function tombstoneAudit(
  tx: Tx,
  tenantId: string,
  at: Date,
  signer: CheckpointSigner,
): Promise<string | null> {
  const head = await tx('audit_heads').where({ tenant_id: tenantId }).first();
  if (!head) return null;
  await writeAuditCheckpoint(tx, tenantId, at, signer);
  await tx('audit_events')
    .where({ tenant_id: tenantId })
    .update({ tenant_id: null, actor_id: null, object_id: null, detail: '{}', tombstoned_at: at });
  await tx('audit_checkpoints').where({ tenant_id: tenantId }).update({ tenant_id: null });
  await tx('audit_heads').where({ tenant_id: tenantId }).del();
  return head.chain_id as string;
}

/**
 * {@link appendAudit} for an event done by a request's actor (tenant, user and hashed IP); a
 * `null` user is someone without an account (a guest).
 */
export function appendActorAudit(
  tx: Tx,
  at: Date,
  actor: { tenantId: string; userId: string | null; ipHash?: string | null },
  event: Pick<AuditInput, 'action' | 'objectType' | 'objectId' | 'detail'>,
): Promise<AuditEvent> {
  return appendAudit(tx, at, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    ipHash: actor.ipHash ?? null,
    ...event,
  });
}
