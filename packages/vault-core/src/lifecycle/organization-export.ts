import { PassThrough, Readable } from 'node:stream';
import { appendActorAudit, toAuditEvent } from '../audit/audit-log.js';
import { createDecryptStream, createEncryptStream } from '../crypto/envelope.js';
import { checkPassphrase, passphraseKey, passphraseSalt } from '../crypto/passphrase-key.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { IntegrityError } from '../errors.js';
import { decryptObjectRow } from '../objects/object-store.js';
import { type Actor, authorize } from '../policies.js';
import { extension, recordingExport, recordingRows } from '../recording/recording-export.js';
import { organizationRecords } from './organization-records.js';
import { TAR_END, tarHeader, tarPadding } from './tar.js';

const MAGIC = Buffer.from('VMX1', 'ascii');
const AAD = 'vaultmark/organization-export/v1';

/**
 * Exports an organization as an encrypted tarball: `organization.json` (metadata, members,
 * library, shares, recipients, watermark mappings, access log, recording sessions with their
 * participants, events and transcripts, audit events), every track version's audio under
 * `audio/` and every recording-session track's under `recordings/`. The tar stream is encrypted with a key derived from the
 * passphrase by scrypt: `"VMX1" | salt(16) | envelope` (the same chunked AES-256-GCM as stored
 * objects, so truncation and tampering are detected). Owners only; the export is audited.
 */
export async function exportOrganization(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
  actor: Actor,
  input: { passphrase: string },
): Promise<Readable> {
  authorize(actor, 'organization', 'export');
  checkPassphrase(input.passphrase, 'the export passphrase');
  const now = deps.clock.now();
  const data = await withTenant(deps.db, actor.tenantId, async (tx) => {
    await appendActorAudit(tx, now, actor, {
      action: 'organization.export',
      objectType: 'organization',
      objectId: actor.tenantId,
    });
    return {
      organization: await tx('organizations')
        .where({ id: actor.tenantId })
        .first('id', 'name', 'personal', 'created_at', 'brand_color'),
      members: await tx('memberships').select('user_id', 'role', 'created_at', 'updated_at'),
      versions: await tx('track_versions')
        .join('objects', 'objects.id', 'track_versions.object_id')
        .select(
          'track_versions.track_id',
          'track_versions.version',
          'track_versions.original_file_name',
          'objects.*',
        ),
      ...(await organizationRecords(tx)),
      recordings: await recordingRows(tx),
      audit: (await tx('audit_events').orderBy('seq')).map(toAuditEvent),
    };
  });
  const { versions, recordings, ...meta } = data;
  const recorded = await recordingExport(deps, recordings);
  const files = versions
    .filter((v) => v.wrapped_key)
    .map((v) => ({
      name: `audio/${v.track_id}/v${v.version}${extension(v.original_file_name)}`,
      size: Number(v.size_bytes),
      row: v,
      open: () => decryptObjectRow(deps, v),
    }));
  const manifest = Buffer.from(
    JSON.stringify(
      {
        format: 'vaultmark-organization-export/1',
        exportedAt: now,
        ...meta,
        // Recording sessions: transcripts as text; audio under recordings/ (see each track's path).
        ...recorded.recordings,
        audio: files.map((f) => ({
          path: f.name,
          trackId: f.row.track_id,
          version: f.row.version,
          sha256: f.row.plaintext_sha256,
        })),
      },
      null,
      2,
    ),
  );
  async function* tarball(): AsyncGenerator<Buffer> {
    yield tarHeader('organization.json', manifest.length, now);
    yield manifest;
    yield tarPadding(manifest.length);
    for (const f of [...files, ...recorded.files]) {
      yield tarHeader(f.name, f.size, now);
      let written = 0;
      for await (const chunk of await f.open()) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (written !== f.size) throw new IntegrityError('stored object size changed');
      yield tarPadding(f.size);
    }
    yield TAR_END;
  }
  const salt = passphraseSalt();
  const key = passphraseKey(input.passphrase, salt);
  const out = new PassThrough();
  out.write(Buffer.concat([MAGIC, salt]));
  const enc = createEncryptStream(key, AAD);
  Readable.from(tarball())
    .on('error', (e) => out.destroy(e))
    .pipe(enc)
    .on('error', (e) => out.destroy(e))
    .pipe(out);
  return out;
}

/** Decrypts an organization export back into its tar stream; a wrong passphrase fails. */
export function decryptOrganizationExport(encrypted: Readable, passphrase: string): Readable {
  const out = new PassThrough();
  let head = Buffer.alloc(0);
  let dec: ReturnType<typeof createDecryptStream> | undefined;
  encrypted.on('data', (chunk: Buffer) => {
    if (dec) {
      dec.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 20) return;
    if (!head.subarray(0, 4).equals(MAGIC)) {
      out.destroy(new IntegrityError('not an organization export'));
      encrypted.destroy();
      return;
    }
    dec = createDecryptStream(passphraseKey(passphrase, head.subarray(4, 20)), AAD);
    dec.on('error', (e) => out.destroy(e));
    dec.pipe(out);
    dec.write(head.subarray(20));
  });
  encrypted.on('end', () =>
    dec ? dec.end() : out.destroy(new IntegrityError('export truncated')),
  );
  encrypted.on('error', (e) => out.destroy(e));
  return out;
}
