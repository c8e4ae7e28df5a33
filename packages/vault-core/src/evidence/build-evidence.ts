import { appendActorAudit, writeAuditCheckpoint } from '../audit/audit-log.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, VaultError } from '../errors.js';
import type { InvestigationMatch } from '../investigations/investigation-result.js';
import { type Actor, authorize } from '../policies.js';
import {
  EVIDENCE_AUDIT_ACTION,
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceDocument,
  type EvidenceMatch,
  evidenceContentSha256,
  signEvidence,
} from './evidence-format.js';
import { organizationSigningKey } from './signing-key.js';

/** Where the false-positive bound of format v1 is derived. */
const DERIVATION = {
  document: 'docs/watermark.md',
  section: '6. Detection / False-positive bound',
};

const CANDIDATE_DERIVATION = {
  document: 'docs/watermark.md',
  section: '6. Detection / Copies too damaged to decode',
};

const finiteOrNull = (x: unknown): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

const iso = (x: unknown): string => new Date(x as string).toISOString();

async function evidenceMatch(
  tx: Tx,
  m: InvestigationMatch,
  formatVersion: number,
): Promise<EvidenceMatch> {
  // What the vault served for this mark: every rendition made with this key and payload.
  const served = await tx('marked_renditions')
    .where({ key_id: m.keyId, payload: m.payload })
    .orderBy(['created_at', 'id']);
  const mark = m.markedAt
    ? null
    : await tx('forensic_marks').where({ key_id: m.keyId, payload: m.payload }).first('created_at');
  const d = m.detection;
  return {
    detection: {
      payload: m.payload,
      payloadBits: m.payload.length * 4,
      keyId: m.keyId,
      formatVersion,
      offsetSeconds: m.offsetSeconds,
      speed: m.speed,
      frequencyScale: finiteOrNull(d?.frequencyScale),
      scaling: d?.scaling ?? null,
      zSync: finiteOrNull(d?.zSync),
      tTotal: finiteOrNull(d?.tTotal),
      bitErrors: finiteOrNull(d?.bitErrors),
      observedBits: finiteOrNull(d?.observedBits),
      method: d?.method ?? null,
      candidates: finiteOrNull(d?.candidates),
    },
    falsePositive: {
      probability: m.falsePositiveProbability,
      log10Probability: m.log10FalsePositiveProbability,
      derivation: {
        ...(d?.method === 'candidate' ? CANDIDATE_DERIVATION : DERIVATION),
        formatVersion,
      },
    },
    subject: {
      kind: m.subject,
      id: m.recipient.id ?? null,
      name: m.recipient.name,
      email: m.recipient.email,
      company: m.recipient.company ?? null,
      shareId: m.shareId,
      trackId: m.trackId,
      trackTitle: m.trackTitle,
      markedAt: m.markedAt ?? (mark ? iso(mark.created_at) : null),
      sharedAt: m.sharedAt,
    },
    served: served.map((r) => ({
      sourceObjectId: r.source_object_id,
      format: r.format,
      kbps: Number(r.kbps),
      sha256: r.sha256,
      sizeBytes: Number(r.size_bytes),
      createdAt: iso(r.created_at),
    })),
    accessEvents:
      m.subject === 'recipient'
        ? m.accessHistory.map((e) => ({
            kind: e.kind,
            trackId: e.trackId,
            objectId: null,
            positionSeconds: e.positionSeconds,
            at: e.at,
          }))
        : await auditedExits(tx, m),
  };
}

/**
 * A guest's or a member's accesses: their audited reads of stored objects (every exit of a
 * marked copy is one), oldest first, at most 200. Guests have no account: their reads name the
 * token in `detail.grant`.
 */
async function auditedExits(tx: Tx, m: InvestigationMatch) {
  const id = m.recipient.id;
  if (!id) return [];
  const q = tx('audit_events').where({ action: 'object.read' }).orderBy('seq').limit(200);
  if (m.subject === 'member') q.where({ actor_id: id }).whereRaw("detail->>'via' = 'member'");
  else q.whereRaw("detail->>'via' = 'guest' AND detail->>'grant' = ?", [id]);
  const rows = await q;
  return rows.map((r) => ({
    kind: 'object.read',
    trackId: null,
    objectId: r.object_id ?? null,
    positionSeconds: null,
    at: iso(r.at),
  }));
}

/**
 * The signed evidence bundle of a finished investigation (members and above, like the report).
 * Gathers the found file's hash, what was detected, the bound and its derivation, each named
 * subject with the hashes of the copies served to them and their access events; records an
 * `investigation.evidence` audit event committing to that content, checkpoints the chain there,
 * and signs the whole with the organization's Ed25519 key (created on first use). An unfinished
 * investigation is a `conflict`.
 */
export async function buildEvidence(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys' | 'auditSigner'>,
  actor: Actor,
  input: { investigationId: string; softwareVersion: string },
): Promise<EvidenceBundle> {
  authorize(actor, 'investigation', 'read');
  const id = input.investigationId;
  if (!isUuid(id)) throw new NotFoundError('investigation');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const inv = await tx('investigations').where({ id }).first();
    if (!inv) throw new NotFoundError('investigation');
    if (inv.status !== 'done' || !inv.result) {
      throw new VaultError('conflict', 'the investigation has not finished');
    }
    const r = typeof inv.result === 'string' ? JSON.parse(inv.result) : inv.result;
    const now = deps.clock.now();
    // The key first: creating it appends its own audit event, which must precede the anchor.
    const key = await organizationSigningKey(deps, tx, actor, now);
    const matches: EvidenceMatch[] = [];
    for (const m of r.matches as InvestigationMatch[]) {
      matches.push(await evidenceMatch(tx, m, r.formatVersion));
    }
    const content: Omit<EvidenceDocument, 'audit'> = {
      format: EVIDENCE_FORMAT,
      organizationId: actor.tenantId,
      investigation: {
        id,
        fileName: inv.file_name,
        createdAt: iso(inv.created_at),
        completedAt: inv.completed_at ? iso(inv.completed_at) : null,
        createdBy: inv.created_by ?? null,
      },
      foundFile: {
        sha256: inv.file_sha256,
        sizeBytes: Number(inv.size_bytes),
        durationSeconds: r.durationSeconds,
      },
      search: {
        identified: r.identified,
        inconclusive: r.inconclusive,
        reason: r.reason ?? null,
        thresholdProbability: r.thresholdProbability,
        keysSearched: r.keysSearched,
        formatVersion: r.formatVersion,
      },
      matches,
      software: { name: 'vaultmark', version: input.softwareVersion },
      generatedAt: now.toISOString(),
    };
    const detail = { contentSha256: evidenceContentSha256(content) };
    const ev = await appendActorAudit(tx, now, actor, {
      action: EVIDENCE_AUDIT_ACTION,
      objectType: 'investigation',
      objectId: id,
      detail,
    });
    const row = await tx('audit_events')
      .where({ chain_id: ev.chainId, seq: ev.seq })
      .first('prev_hash', 'subject_digest');
    const cp = await writeAuditCheckpoint(tx, actor.tenantId, now, deps.auditSigner);
    const doc: EvidenceDocument = {
      ...content,
      audit: {
        event: {
          chainId: ev.chainId,
          seq: ev.seq,
          at: ev.at.toISOString(),
          action: ev.action,
          objectType: ev.objectType,
          ipHash: ev.ipHash,
          tenantId: actor.tenantId,
          actorId: ev.actorId,
          objectId: ev.objectId,
          detail,
          subjectDigest: row.subject_digest,
          prevHash: row.prev_hash,
          hash: ev.hash,
        },
        checkpoint: cp ? { ...cp, keyId: deps.auditSigner.keyId, at: now.toISOString() } : null,
      },
    };
    return signEvidence(doc, key);
  });
}
