import type { Tx } from '../db/transactions.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { enqueueJob, type JobHandler } from '../jobs/job-queue.js';
import { describeError, jsonLinesLogger } from '../logger.js';
import type { ExitMark } from '../media/marked-media.js';
import { type PreviewBitrate, previewBitrate } from '../media/preview-encoder.js';
import { markedPreview, type PreviewRequest } from '../media/stored-previews.js';
import { watermarkKeyById } from '../media/watermark-key-store.js';
import { decryptObjectRow } from '../objects/object-store.js';
import { type RecipientClient, requireGrant, withRecipient } from './recipient-access.js';

type Deps = Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media' | 'logger'>;

/**
 * The previews a share's recipients stream: one per (recipient, track), of the track's current
 * version, with the recipient's mark, at the share's bit rate. Revoked recipients and erased
 * masters have none. `recipientId` narrows it to one recipient.
 */
async function sharePreviewRequests(
  deps: Deps,
  tx: Tx,
  tenantId: string,
  share: { id: string; preview_kbps?: number | null },
  recipientId?: string,
): Promise<PreviewRequest[]> {
  const rows = await tx('share_tracks')
    .join('tracks', 'tracks.id', 'share_tracks.track_id')
    .join('forensic_marks', 'forensic_marks.track_id', 'tracks.id')
    .join('share_recipients', 'share_recipients.id', 'forensic_marks.recipient_id')
    .join('track_versions', (j) =>
      j
        .on('track_versions.track_id', 'tracks.id')
        .andOn('track_versions.version', 'tracks.current_version'),
    )
    .join('objects', 'objects.id', 'track_versions.object_id')
    .where({ 'share_tracks.share_id': share.id, 'share_recipients.share_id': share.id })
    .modify((q) => {
      if (recipientId) q.where({ 'share_recipients.id': recipientId });
    })
    .whereNull('share_recipients.revoked_at')
    .whereNotNull('objects.wrapped_key')
    .orderBy(['share_recipients.created_at', 'share_recipients.id', 'tracks.title', 'tracks.id'])
    .select('forensic_marks.key_id', 'forensic_marks.payload', 'objects.*');
  const kbps: PreviewBitrate = previewBitrate(share.preview_kbps ?? undefined);
  const requests: PreviewRequest[] = [];
  for (const row of rows) {
    const key = await watermarkKeyById(deps, tx, row.key_id);
    if (!key) continue;
    const mark: ExitMark = { keyId: row.key_id as string, key, payload: row.payload as string };
    requests.push({
      tenantId,
      master: { objectId: row.id as string, open: () => decryptObjectRow(deps, row) },
      mark,
      kbps,
    });
  }
  return requests;
}

/**
 * Renders (or finds stored) every request. One that cannot be rendered (not audio, erased
 * meanwhile) is skipped and reported to the logger: the play itself will say so to the recipient,
 * and the others still get theirs.
 */
async function renderAll(
  deps: Deps,
  requests: PreviewRequest[],
  progress?: (p: number) => Promise<void>,
): Promise<number> {
  let rendered = 0;
  for (const [i, request] of requests.entries()) {
    try {
      await markedPreview(deps, request);
      rendered++;
    } catch (error) {
      (deps.logger ?? jsonLinesLogger()).warn('share.preview_failed', {
        tenantId: request.tenantId,
        masterObjectId: request.master.objectId,
        keyId: request.mark.keyId,
        kbps: request.kbps,
        error: describeError(error),
      });
    }
    await progress?.((i + 1) / requests.length);
  }
  return rendered;
}

/** Previews one `previews` job renders before it hands the rest to a job of its own. */
export const PREVIEWS_PER_JOB = 4;

/**
 * The `previews` job, queued when a share is created: renders and stores the marked preview of
 * every recipient and track, so a recipient's first play reads a stored file instead of waiting
 * for marking and encoding. Nothing leaves the vault here and nothing is counted. A job renders
 * {@link PREVIEWS_PER_JOB} previews (seconds each) and queues the next batch behind the jobs
 * already waiting, so a share to many people never holds an investigation or an analysis back.
 */
export function sharePreviewsJob(deps: Deps): JobHandler {
  return async (job, progress) => {
    const { shareId, from = 0 } = job.payload as { shareId: string; from?: number };
    const requests = await withTenant(deps.db, job.tenantId, async (tx) => {
      const share = await tx('shares').where({ id: shareId }).first('id', 'preview_kbps');
      return share ? sharePreviewRequests(deps, tx, job.tenantId, share) : [];
    });
    const batch = requests.slice(from, from + PREVIEWS_PER_JOB);
    const rendered = await renderAll(deps, batch, progress);
    const next = from + PREVIEWS_PER_JOB;
    if (next < requests.length) {
      await withTenant(deps.db, job.tenantId, (tx) =>
        enqueueJob(tx, deps.clock.now(), {
          tenantId: job.tenantId,
          queue: 'previews',
          idempotencyKey: `${shareId}:${next}`,
          payload: { shareId, from: next },
        }),
      );
    }
    return { previews: requests.length, from, rendered };
  };
}

/**
 * Makes this recipient's previews of every track of their share ready ahead of the first play
 * (the page calls it when it opens): read into memory if stored, else rendered now. Nothing leaves
 * the vault here and nothing is counted or audited. Resolves with how many are ready.
 */
export async function prepareRecipientPreviews(
  deps: Deps,
  token: string,
  client: Pick<RecipientClient, 'grant'> = {},
): Promise<number> {
  const requests = await withRecipient(deps, token, async (tx, ctx, now) => {
    await requireGrant(tx, ctx, client.grant, now);
    return sharePreviewRequests(deps, tx, ctx.tenantId, ctx.share, ctx.recipient.id);
  });
  return renderAll(deps, requests);
}
