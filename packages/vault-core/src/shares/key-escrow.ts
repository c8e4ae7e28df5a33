import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { appendActorAudit } from '../audit/audit-log.js';
import { checkPassphrase, passphraseKey, passphraseSalt } from '../crypto/passphrase-key.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { FORENSIC_RETENTION_MS } from '../forensic-retention.js';
import { allWatermarkKeys, keyContext } from '../media/watermark-key-store.js';
import { type Actor, authorize } from '../policies.js';

/**
 * Key escrow: an organization's watermark keys and its forensic mapping (who received which
 * payload), exported encrypted under a passphrase and imported into another vault (or the same
 * one restored), so a copy marked before a migration is still traced to its person.
 *
 * File: `"VMW1" | salt(16) | iv(12) | AES-256-GCM(JSON) | tag(16)`, the key derived from the
 * passphrase by scrypt (`crypto/passphrase-key.ts`), the magic as additional data.
 */
const MAGIC = Buffer.from('VMW1', 'ascii');
const FORMAT = 'vaultmark-watermark-keys/1';

/** What an escrow file holds (once decrypted). */
interface Escrow {
  format: typeof FORMAT;
  exportedAt: string;
  keys: Array<{ id: string; secret: string; createdAt: string; retiredAt: string | null }>;
  marks: Array<{
    keyId: string;
    payload: string;
    subject: 'recipient' | 'guest' | 'member';
    /** Who received the copy, as the exporting vault knew them (`Name <email>`). */
    label: string | null;
    shareId: string | null;
    recipientId: string | null;
    guestTokenId: string | null;
    memberUserId: string | null;
    trackId: string;
    createdAt: string;
    retainUntil: string;
  }>;
}

/**
 * Exports the organization's watermark keys (secrets included) and forensic mapping, encrypted
 * under `passphrase`. Owners only; audited as `watermark_key.export`.
 */
export async function exportWatermarkKeys(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
  input: { passphrase: string },
): Promise<Buffer> {
  authorize(actor, 'watermarkKey', 'export');
  const salt = passphraseSalt();
  const key = passphraseKey(checkPassphrase(input.passphrase), salt);
  const now = deps.clock.now();
  const escrow = await withTenant(deps.db, actor.tenantId, async (tx): Promise<Escrow> => {
    const rows = await tx('watermark_keys').orderBy('created_at');
    const secrets = new Map((await allWatermarkKeys(deps, tx)).map((k) => [k.name, k.secret]));
    const marks = await tx('forensic_marks')
      .leftJoin('share_recipients', 'share_recipients.id', 'forensic_marks.recipient_id')
      .orderBy('forensic_marks.created_at')
      .select('forensic_marks.*', 'share_recipients.name', 'share_recipients.email');
    await appendActorAudit(tx, now, actor, {
      action: 'watermark_key.export',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { keys: rows.length, marks: marks.length },
    });
    return {
      format: FORMAT,
      exportedAt: now.toISOString(),
      keys: rows.map((r) => ({
        id: r.id,
        secret: Buffer.from(secrets.get(r.id)!).toString('base64'),
        createdAt: new Date(r.created_at).toISOString(),
        retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
      })),
      marks: marks.map((m) => ({
        keyId: m.key_id,
        payload: m.payload,
        subject: m.subject ?? 'recipient',
        label: m.subject_label ?? (m.name ? `${m.name} <${m.email}>` : null),
        shareId: m.share_id ?? null,
        recipientId: m.recipient_id ?? null,
        guestTokenId: m.guest_token_id ?? null,
        memberUserId: m.member_user_id ?? null,
        trackId: m.track_id,
        createdAt: new Date(m.created_at).toISOString(),
        retainUntil: new Date(m.retain_until).toISOString(),
      })),
    };
  });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(JSON.stringify(escrow), 'utf8'), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, body, cipher.getAuthTag()]);
}

/**
 * Imports an escrow file into the organization: each key whose secret the organization does not
 * hold yet is added (retired: it detects, it marks nothing new; its secret wrapped by this
 * vault's KEK), and each mapping is added under it, so investigations trace copies marked before
 * the export. Owners only; a wrong passphrase or an altered file is `invalid_input`; audited as
 * `watermark_key.import`. Importing the same file twice adds nothing the second time.
 */
export async function importWatermarkKeys(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'keys'>,
  actor: Actor,
  input: { file: Buffer; passphrase: string },
): Promise<{ keys: number; marks: number }> {
  authorize(actor, 'watermarkKey', 'import');
  const file = input.file;
  if (
    !Buffer.isBuffer(file) ||
    file.length < 4 + 16 + 12 + 16 ||
    !file.subarray(0, 4).equals(MAGIC)
  ) {
    throw new ValidationError('not a watermark key export', 'file');
  }
  const key = passphraseKey(checkPassphrase(input.passphrase), file.subarray(4, 20));
  let escrow: Escrow;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, file.subarray(20, 32));
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(file.subarray(file.length - 16));
    const json = Buffer.concat([
      decipher.update(file.subarray(32, file.length - 16)),
      decipher.final(),
    ]);
    escrow = JSON.parse(json.toString('utf8')) as Escrow;
  } catch {
    throw new ValidationError('wrong passphrase, or the file was altered', 'passphrase');
  }
  if (escrow.format !== FORMAT) throw new ValidationError('unknown export format', 'file');
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    // Keys already here (the same secret) are reused; the others get ids of this vault.
    const held = new Map<string, string>();
    for (const k of await allWatermarkKeys(deps, tx)) {
      held.set(Buffer.from(k.secret).toString('base64'), k.name);
    }
    const idOf = new Map<string, string>();
    let keys = 0;
    for (const k of escrow.keys) {
      const existing = held.get(k.secret);
      if (existing) {
        idOf.set(k.id, existing);
        continue;
      }
      const id = randomUUID();
      const { wrapped, keyId } = await deps.keys.wrap(
        new Uint8Array(Buffer.from(k.secret, 'base64')),
        keyContext(actor.tenantId, id),
      );
      await tx('watermark_keys').insert({
        id,
        tenant_id: actor.tenantId,
        secret_wrapped: Buffer.from(wrapped),
        kek_id: keyId,
        created_by: actor.userId,
        created_at: new Date(k.createdAt),
        retired_at: now,
      });
      idOf.set(k.id, id);
      keys++;
    }
    let marks = 0;
    for (const m of escrow.marks) {
      const keyId = idOf.get(m.keyId);
      if (!keyId) continue;
      const inserted = await tx('forensic_marks')
        .insert({
          id: randomUUID(),
          tenant_id: actor.tenantId,
          key_id: keyId,
          payload: m.payload,
          subject: m.subject,
          share_id: m.shareId,
          recipient_id: m.recipientId,
          guest_token_id: m.guestTokenId,
          member_user_id: m.memberUserId,
          subject_label: m.label ? m.label.slice(0, 300) : null,
          track_id: m.trackId,
          created_at: new Date(m.createdAt),
          // Imported mappings are kept at least as long as the vault keeps its own.
          retain_until: new Date(
            Math.max(new Date(m.retainUntil).getTime(), now.getTime() + FORENSIC_RETENTION_MS),
          ),
        })
        .onConflict()
        .ignore()
        .returning('id');
      marks += inserted.length;
    }
    await appendActorAudit(tx, now, actor, {
      action: 'watermark_key.import',
      objectType: 'organization',
      objectId: actor.tenantId,
      detail: { keys, marks },
    });
    return { keys, marks };
  });
}
