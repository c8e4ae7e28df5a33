import { AnalysisError } from '@vaultmark/analysis';
import { type DetectResult, FORMAT_VERSION, WatermarkError } from '@vaultmark/watermark';
import { appendAudit } from '../audit/audit-log.js';
import { type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import type { Job } from '../jobs/job-queue.js';
import { allWatermarkKeys } from '../media/watermark-key-store.js';
import type {
  InvestigationMatch,
  InvestigationReason,
  InvestigationResult,
} from './investigation-result.js';
import { issuedPayloads } from './issued-payloads.js';
import { INVESTIGATION_THRESHOLD, MIN_SECONDS, type Scan, searchAudio } from './search-audio.js';

/**
 * Sync-only evidence: the union bound H·exp(−z²/2) on the best sync statistic of the coarse
 * search, over the H hypotheses scored. At or below the reporting threshold, some alignment
 * of one of the vault's keys matched far better than chance although no payload decoded: the
 * copy is most likely marked but too short or too damaged to read ("inconclusive", never a name).
 */
function unreadableMarkLikely(r: DetectResult): boolean {
  if (!(r.bestSyncZ > 0) || r.hypotheses <= 0) return false;
  const log10Bound = Math.log10(r.hypotheses) - (r.bestSyncZ * r.bestSyncZ) / (2 * Math.LN10);
  return log10Bound <= Math.log10(INVESTIGATION_THRESHOLD);
}

async function lookUp(tx: Tx, found: DetectResult['matches']): Promise<InvestigationMatch[]> {
  const out: InvestigationMatch[] = [];
  for (const m of found) {
    // Only this tenant's mapping is visible here (row-level security): another tenant's or an
    // unknown payload is simply absent, and nothing about it is reported.
    const row = await tx('forensic_marks')
      .leftJoin('share_recipients', 'share_recipients.id', 'forensic_marks.recipient_id')
      .leftJoin('shares', 'shares.id', 'forensic_marks.share_id')
      .leftJoin('tracks', 'tracks.id', 'forensic_marks.track_id')
      .where({ 'forensic_marks.key_id': m.keyName, 'forensic_marks.payload': m.payload })
      .first(
        'forensic_marks.*',
        'share_recipients.name',
        'share_recipients.email',
        'share_recipients.company',
        'shares.created_at as shared_at',
        'tracks.title as track_title',
      );
    if (!row) continue;
    const subject = (row.subject ?? 'recipient') as 'recipient' | 'guest' | 'member';
    const history =
      subject === 'recipient'
        ? await tx('access_events')
            .where({ recipient_id: row.recipient_id })
            .orderBy('at')
            .limit(200)
        : [];
    // A mapping imported from another vault names its person by the label it carried.
    const recipient =
      subject === 'recipient'
        ? {
            id: row.recipient_id,
            name: row.name ?? row.subject_label?.replace(/\s*<[^>]*>$/, '') ?? 'recipient',
            email: row.email ?? /<([^>]+)>$/.exec(row.subject_label ?? '')?.[1] ?? '',
            company: row.company ?? null,
          }
        : {
            id: subject === 'guest' ? row.guest_token_id : row.member_user_id,
            name: row.subject_label ?? subject,
            email: /<([^>]+)>$/.exec(row.subject_label ?? '')?.[1] ?? '',
            company: null,
          };
    out.push({
      trackId: row.track_id,
      trackTitle: row.track_title ?? null,
      shareId: row.share_id ?? null,
      subject,
      recipient,
      sharedAt: new Date(row.shared_at ?? row.created_at).toISOString(),
      payload: m.payload,
      keyId: m.keyName,
      offsetSeconds: m.offsetSeconds,
      speed: m.speed,
      falsePositiveProbability: m.falsePositiveProbability,
      log10FalsePositiveProbability: m.log10FalsePositiveProbability,
      detection: {
        method: m.method,
        ...(m.candidates !== undefined ? { candidates: m.candidates } : {}),
        frequencyScale: m.frequencyScale,
        scaling: m.scaling,
        zSync: m.zSync,
        tTotal: m.tTotal,
        bitErrors: m.bitErrors,
        observedBits: m.observedBits,
      },
      markedAt: new Date(row.created_at).toISOString(),
      accessHistory: history.map((e) => ({
        kind: e.kind,
        trackId: e.track_id,
        positionSeconds: e.position_seconds == null ? null : Number(e.position_seconds),
        at: new Date(e.at).toISOString(),
      })),
    });
  }
  return out;
}

/** Decoding and format errors mean the file is not usable audio: a final answer, not a retry. */
function unusableAudio(e: unknown): boolean {
  if (e instanceof WatermarkError) return e.code === 'unsupported_format';
  return (
    e instanceof AnalysisError &&
    e.code !== 'ffmpeg_missing' &&
    e.code !== 'decode_timeout' &&
    e.code !== 'aborted'
  );
}

/**
 * Job handler of the `investigation` queue (register it with the worker:
 * `handlers: { investigation: vault.investigations.runJob }`). Decrypts the stored file, decodes
 * it with `@vaultmark/analysis` (any format ffmpeg reads), streams it through the watermark
 * detector with every key of the organization (current and previous), reports progress by the
 * bytes read, looks each payload found up in the organization's own forensic mapping, and
 * stores the result. Idempotent: a retried job recomputes the same result.
 */
export async function runInvestigation(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  job: Job,
  progress: (fraction: number) => Promise<void>,
): Promise<{ investigationId: string; identified: boolean; status: string }> {
  const tenantId = job.tenantId;
  const id = String(job.payload.investigationId ?? '');
  const start = await withTenant(deps.db, tenantId, async (tx) => {
    const inv = await tx('investigations').where({ id }).first();
    if (!inv || inv.status === 'done') return null;
    await tx('investigations').where({ id }).update({ status: 'running', error: null });
    const object = inv.object_id ? await tx('objects').where({ id: inv.object_id }).first() : null;
    return {
      inv,
      object,
      keys: await allWatermarkKeys(deps, tx),
      issued: await issuedPayloads(tx),
    };
  });
  if (!start) return { investigationId: id, identified: false, status: 'skipped' };
  const finish = async (
    status: 'done' | 'failed',
    result: InvestigationResult | null,
    error: string | null,
  ) => {
    await withTenant(deps.db, tenantId, async (tx) => {
      const now = deps.clock.now();
      await tx('investigations')
        .where({ id })
        .update({
          status,
          result: result ? JSON.stringify(result) : null,
          error,
          completed_at: now,
        });
      await appendAudit(tx, now, {
        tenantId,
        action: status === 'done' ? 'investigation.complete' : 'investigation.fail',
        objectType: 'investigation',
        objectId: id,
        detail: result ? { identified: result.identified, matches: result.matches.length } : {},
      });
    });
    return { investigationId: id, identified: result?.identified ?? false, status };
  };
  if (!start.object) return finish('failed', null, 'the uploaded file is no longer stored');

  let scan: Scan | null = null;
  if (start.keys.length > 0) {
    try {
      scan = await searchAudio(
        deps,
        start.object,
        start.keys,
        Number(start.inv.size_bytes),
        progress,
        start.issued,
      );
    } catch (e) {
      if (unusableAudio(e)) return finish('failed', null, 'the file could not be decoded as audio');
      throw e;
    }
  }
  const detected = scan?.whole ?? null;
  const duration = scan?.durationSeconds ?? 0;
  const found = scan?.matches ?? [];
  const matches = found.length
    ? await withTenant(deps.db, tenantId, (tx) => lookUp(tx, found))
    : [];
  let reason: InvestigationReason | undefined;
  let inconclusive = false;
  if (matches.length === 0) {
    if (start.keys.length > 0 && duration < MIN_SECONDS) reason = 'audio_too_short';
    else if (detected && found.length === 0 && unreadableMarkLikely(detected)) {
      inconclusive = true;
      reason = 'watermark_unreadable';
    } else reason = 'no_match';
  }
  return finish(
    'done',
    {
      identified: matches.length > 0,
      inconclusive,
      ...(reason ? { reason } : {}),
      matches,
      durationSeconds: duration,
      thresholdProbability: INVESTIGATION_THRESHOLD,
      keysSearched: start.keys.length,
      formatVersion: FORMAT_VERSION,
      completedAt: deps.clock.now().toISOString(),
    },
    null,
  );
}
