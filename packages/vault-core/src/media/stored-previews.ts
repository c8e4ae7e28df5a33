import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { appendAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import {
  decryptObjectRow,
  discardSealed,
  insertObjectRow,
  sealObject,
} from '../objects/object-store.js';
import type { MasterObject } from './decoded-masters.js';
import { type ExitMark, mediaOf } from './marked-media.js';
import type { PreviewBitrate } from './preview-encoder.js';

/** One person's marked lossy preview of one master. */
export interface PreviewRequest {
  tenantId: string;
  master: MasterObject;
  mark: ExitMark;
  kbps: PreviewBitrate;
}

type Deps = Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys' | 'media'>;

const idOf = (p: PreviewRequest) =>
  `${p.master.objectId}:${p.mark.keyId}:${p.mark.payload}:mp3:${p.kbps}`;

/**
 * A person's marked MP3 preview of a master: from memory; else the stored rendition (rendered
 * once, kept encrypted like any object, derived from the master so erasing the master erases it);
 * else marked and encoded now, then stored (with the SHA-256 of the bytes it serves). The first play of a share usually finds it stored,
 * because creating a share renders its previews in the background ({@link renderSharePreviews}).
 */
export function markedPreview(deps: Deps, p: PreviewRequest): Promise<Buffer> {
  return mediaOf(deps).preview(idOf(p), async () => {
    const stored = await withTenant(deps.db, p.tenantId, (tx) =>
      tx('marked_renditions')
        .join('objects', 'objects.id', 'marked_renditions.object_id')
        .where({
          'marked_renditions.source_object_id': p.master.objectId,
          'marked_renditions.key_id': p.mark.keyId,
          'marked_renditions.payload': p.mark.payload,
          'marked_renditions.format': 'mp3',
          'marked_renditions.kbps': p.kbps,
        })
        .whereNotNull('objects.wrapped_key')
        .first('objects.*'),
    );
    if (stored) return buffer(await decryptObjectRow(deps, stored));
    const rendered = await mediaOf(deps).renderPreview(p.master, p.mark, p.kbps);
    // Storing saves the next render; a failure to store (storage full) does not fail the play.
    await storeRendition(deps, p, rendered).catch(() => undefined);
    return rendered;
  });
}

/**
 * Seals a rendered preview and records it (object row derived from the master, rendition row,
 * audit event) in one tenant transaction. Another server may have stored the same rendition
 * meanwhile: then this copy is discarded and the stored one stands.
 */
async function storeRendition(deps: Deps, p: PreviewRequest, bytes: Buffer): Promise<void> {
  const sealed = await sealObject(deps, p.tenantId, Readable.from([bytes]));
  const kept = await withTenant(deps.db, p.tenantId, async (tx) => {
    const now = deps.clock.now();
    // A master erased while this one rendered: nothing to keep.
    const source = await tx('objects')
      .where({ id: p.master.objectId })
      .whereNotNull('wrapped_key')
      .first('id');
    if (!source) return false;
    await insertObjectRow(tx, now, 'derived', sealed, { derivedFrom: p.master.objectId });
    // A rendition whose file the purge deleted keeps its row (the hash of what was served); a
    // new rendering of it (the same bytes, as marking and encoding are deterministic) is stored
    // under that row again.
    const inserted = (
      await tx.raw(
        `INSERT INTO marked_renditions
           (id, tenant_id, source_object_id, key_id, payload, format, kbps, object_id, sha256, size_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, 'mp3', ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, source_object_id, key_id, payload, format, kbps) DO UPDATE
           SET object_id = EXCLUDED.object_id, sha256 = EXCLUDED.sha256,
               size_bytes = EXCLUDED.size_bytes, created_at = EXCLUDED.created_at
           WHERE marked_renditions.object_id IS NULL
         RETURNING id`,
        [
          randomUUID(),
          p.tenantId,
          p.master.objectId,
          p.mark.keyId,
          p.mark.payload,
          p.kbps,
          sealed.id,
          sealed.sha256,
          sealed.sizeBytes,
          now,
        ],
      )
    ).rows;
    if (inserted.length === 0) {
      await tx('objects').where({ id: sealed.id }).del();
      return false;
    }
    await appendAudit(tx, now, {
      tenantId: p.tenantId,
      action: 'object.write',
      objectType: 'object',
      objectId: sealed.id,
      detail: {
        kind: 'rendition',
        derivedFrom: p.master.objectId,
        keyId: p.mark.keyId,
        kbps: p.kbps,
      },
    });
    return true;
  });
  if (!kept) await discardSealed(deps, sealed);
}
