import { randomUUID } from 'node:crypto';
import { tokenHash } from '../crypto/access-token.js';
import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import { currentWatermarkKey } from '../media/watermark-key-store.js';
import type { Actor } from '../policies.js';
import { linkToken, newLinkNonce } from './link-token.js';
import type { ShareLink } from './share-link.js';
import { recipientPayload } from './watermark-keys.js';

/**
 * Inserts recipients of a share, each with a new link token (stored as its SHA-256 and the nonce
 * it is derived from, see {@link linkToken}), in the caller's tenant transaction. Used at
 * creation and when recipients are added.
 */
export async function insertRecipients(
  deps: Pick<VaultDeps, 'auditSigner'>,
  tx: Tx,
  at: Date,
  ids: { tenantId: string; shareId: string },
  recipients: ReadonlyArray<{ name: string; email: string; company: string | null }>,
): Promise<ShareLink[]> {
  const links: ShareLink[] = [];
  for (const r of recipients) {
    const recipientId = randomUUID();
    const nonce = newLinkNonce();
    const token = linkToken(deps.auditSigner.secret, {
      tenantId: ids.tenantId,
      recipientId,
      nonce,
    });
    await tx('share_recipients').insert({
      id: recipientId,
      tenant_id: ids.tenantId,
      share_id: ids.shareId,
      name: r.name,
      email: r.email,
      company: r.company,
      token_hash: tokenHash(token),
      token_nonce: nonce,
      created_at: at,
    });
    links.push({ recipientId, name: r.name, email: r.email, token });
  }
  return links;
}

/**
 * The forensic mappings of recipients × tracks: each copy's 128-bit payload under the tenant's
 * current watermark key, kept until creation + {@link FORENSIC_RETENTION_MS}. A pair already
 * mapped keeps its mapping. Returns the key id.
 */
export async function mapCopies(
  deps: Parameters<typeof currentWatermarkKey>[0],
  tx: Tx,
  actor: Actor,
  at: Date,
  shareId: string,
  recipientIds: string[],
  trackIds: string[],
): Promise<string> {
  const { id: keyId, key } = await currentWatermarkKey(deps, tx, actor, at);
  const retainUntil = new Date(at.getTime() + FORENSIC_RETENTION_MS);
  const marks = recipientIds.flatMap((recipientId) =>
    trackIds.map((trackId) => ({
      id: randomUUID(),
      tenant_id: actor.tenantId,
      key_id: keyId,
      payload: recipientPayload(key, { shareId, recipientId, trackId }),
      share_id: shareId,
      recipient_id: recipientId,
      track_id: trackId,
      created_at: at,
      retain_until: retainUntil,
    })),
  );
  for (let i = 0; i < marks.length; i += 500) {
    await tx('forensic_marks')
      .insert(marks.slice(i, i + 500))
      .onConflict()
      .ignore();
  }
  return keyId;
}
