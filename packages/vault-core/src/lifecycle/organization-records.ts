import type { Tx } from '../db/transactions.js';

/**
 * An organization's records for export, read in its tenant transaction: library metadata,
 * shares, recipients, watermark mappings and access log. Only listed columns: never password
 * hashes, token hashes or wrapped keys.
 */
export async function organizationRecords(tx: Tx) {
  return {
    folders: await tx('folders').select('id', 'parent_id', 'name', 'created_at'),
    tracks: await tx('tracks').select(
      'id',
      'folder_id',
      'title',
      'artist',
      'duration_seconds',
      'bpm',
      'musical_key',
      'tags',
      'original_file_name',
      'content_sha256',
      'analysis_status',
      'current_version',
      'created_at',
      'updated_at',
    ),
    trackVersions: await tx('track_versions').select(
      'track_id',
      'version',
      'original_file_name',
      'content_sha256',
      'size_bytes',
      'created_at',
    ),
    shares: await tx('shares').select(
      'id',
      'note',
      'allow_download',
      'max_plays',
      'max_downloads',
      'activates_at',
      'expires_at',
      'revoked_at',
      'created_at',
    ),
    shareTracks: await tx('share_tracks').select('share_id', 'track_id'),
    recipients: await tx('share_recipients').select(
      'id',
      'share_id',
      'name',
      'email',
      'company',
      'plays',
      'downloads',
      'created_at',
      'revoked_at',
    ),
    watermarkMappings: await tx('forensic_marks').select(
      'key_id',
      'payload',
      'share_id',
      'recipient_id',
      'track_id',
      'created_at',
      'retain_until',
    ),
    accessLog: await tx('access_events').select(
      'share_id',
      'recipient_id',
      'track_id',
      'kind',
      'position_seconds',
      'ip_hash',
      'user_agent',
      'at',
    ),
  };
}
