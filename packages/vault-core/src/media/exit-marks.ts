import { createHmac, randomUUID } from 'node:crypto';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import type { ExitMark } from './marked-media.js';
import { currentWatermarkKey, PAYLOAD_BYTES, watermarkKeyById } from './watermark-key-store.js';

/** Who receives a marked copy outside a share: a guest (by token) or a studio member. */
export type ExitSubject =
  | { kind: 'guest'; guestTokenId: string; label: string }
  | { kind: 'member'; userId: string; label: string };

function subjectPayload(key: { secret: Uint8Array }, subject: ExitSubject, trackId: string) {
  const id = subject.kind === 'guest' ? subject.guestTokenId : subject.userId;
  return createHmac('sha256', key.secret)
    .update(`vaultmark/${subject.kind}-payload/v1\0${id}\0${trackId}`)
    .digest()
    .subarray(0, PAYLOAD_BYTES)
    .toString('hex');
}

/**
 * The mark of one subject's copies of one track, inside the tenant's transaction: the mapping
 * made on the first exit (under the tenant's current key, kept 24 months like a share's) or the
 * one already there. Each guest token and each member gets a payload of its own per track, so an
 * investigation names exactly who received the copy that leaked.
 */
export async function exitMark(
  deps: Pick<VaultDeps, 'keys'>,
  tx: Tx,
  tenantId: string,
  subject: ExitSubject,
  trackId: string,
  now: Date,
): Promise<ExitMark> {
  const column = subject.kind === 'guest' ? 'guest_token_id' : 'member_user_id';
  const id = subject.kind === 'guest' ? subject.guestTokenId : subject.userId;
  const existing = await tx('forensic_marks')
    .where({ [column]: id, track_id: trackId })
    .orderBy('created_at', 'desc')
    .first();
  if (existing) {
    const key = await watermarkKeyById(deps, tx, existing.key_id);
    if (key) return { keyId: existing.key_id, key, payload: existing.payload };
  }
  // A guest has no account: a key created on their first copy is audited without an actor.
  const actor = { tenantId, userId: subject.kind === 'member' ? subject.userId : null };
  const current = await currentWatermarkKey(deps, tx, actor, now);
  const payload = subjectPayload(current.key, subject, trackId);
  await tx('forensic_marks')
    .insert({
      id: randomUUID(),
      tenant_id: tenantId,
      key_id: current.id,
      payload,
      subject: subject.kind,
      [column]: id,
      subject_label: subject.label.slice(0, 300),
      track_id: trackId,
      created_at: now,
      retain_until: new Date(now.getTime() + FORENSIC_RETENTION_MS),
    })
    .onConflict()
    .ignore();
  return { keyId: current.id, key: current.key, payload };
}
