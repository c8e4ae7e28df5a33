import type { Tx } from '../db/transactions.js';
import { notificationRecords } from '../notifications/feed.js';
import { reviewRecords } from '../review/review-records.js';

/**
 * An organization's records for export, read in its tenant transaction: library metadata,
 * shares, recipients, watermark mappings, access log, watermark key ids, investigations and
 * members' notifications.
 * Only listed columns: never password hashes, token hashes, wrapped keys or key secrets.
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
      'title',
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
    watermarkKeys: await tx('watermark_keys').select('id', 'created_at', 'retired_at'),
    investigations: await tx('investigations').select(
      'id',
      'file_name',
      'size_bytes',
      'file_sha256',
      'status',
      'result',
      'error',
      'created_at',
      'completed_at',
    ),
    // Comments, approvals and guest invitations.
    ...(await reviewRecords(tx)),
    // Every member's notification feed and mute settings.
    ...(await notificationRecords(tx)),
  };
}
