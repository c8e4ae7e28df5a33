import { createHmac } from 'node:crypto';
import type { WatermarkKey } from '@vaultmark/watermark';
import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { insertWatermarkKey, PAYLOAD_BYTES } from '../media/watermark-key-store.js';
import { type Actor, authorize } from '../policies.js';

/** A tenant's watermark key as listed (never its secret). */
export interface WatermarkKeyInfo {
  /** Key id, recorded in every forensic mark the key made and reported by the detector. */
  id: string;
  /** Whether new shares are marked with this key (exactly one key is current). */
  current: boolean;
  createdAt: Date;
  retiredAt: Date | null;
}

// biome-ignore lint/suspicious/noExplicitAny: database row
function toInfo(r: any): WatermarkKeyInfo {
  return {
    id: r.id,
    current: r.retired_at == null,
    createdAt: new Date(r.created_at),
    retiredAt: r.retired_at ? new Date(r.retired_at) : null,
  };
}

/**
 * The 128-bit payload of one recipient's copy of one track: HMAC-SHA-256 under the tenant's
 * watermark key secret (domain-separated from the mark's own keyed streams), truncated. Distinct
 * per (share, recipient, track); only the tenant can compute or invert it (through its mapping).
 */
export function recipientPayload(
  key: WatermarkKey,
  ids: { shareId: string; recipientId: string; trackId: string },
): string {
  return createHmac('sha256', key.secret)
    .update(`vaultmark/recipient-payload/v1\0${ids.shareId}\0${ids.recipientId}\0${ids.trackId}`)
    .digest()
    .subarray(0, PAYLOAD_BYTES)
    .toString('hex');
}

/** The organization's watermark keys, the current one first, then newest first (admins). */
export async function listWatermarkKeys(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<WatermarkKeyInfo[]> {
  authorize(actor, 'watermarkKey', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('watermark_keys').orderByRaw('retired_at IS NULL DESC, created_at DESC, retired_at DESC'),
  );
  return rows.map(toInfo);
}

/**
 * Rotates the organization's watermark key (admins): a new key becomes current for new shares;
 * previous keys stay, so copies they marked are still identified, and existing shares keep
 * serving copies marked with the key their mapping records.
 */
export async function rotateWatermarkKey(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
): Promise<WatermarkKeyInfo> {
  authorize(actor, 'watermarkKey', 'rotate');
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const now = deps.clock.now();
    await tx('organizations').where({ id: actor.tenantId }).forUpdate().first('id');
    await tx('watermark_keys').whereNull('retired_at').update({ retired_at: now });
    const { id } = await insertWatermarkKey(deps, tx, actor.tenantId, now, actor.userId);
    await appendActorAudit(tx, now, actor, {
      action: 'watermark_key.rotate',
      objectType: 'watermark_key',
      objectId: id,
    });
    return toInfo(await tx('watermark_keys').where({ id }).first());
  });
}
