import { listMemberships, loginHistory } from '../accounts/accounts.js';
import { listSessions } from '../accounts/sessions.js';
import { withIdentity, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';

/** Version of the export bundle's JSON layout. */
export const EXPORT_FORMAT = 'vaultmark-account-export/1';

/**
 * The account's data as one machine-readable JSON document: profile, sessions, login log,
 * memberships and, for every organization the user owns, its library metadata, folders,
 * shares with recipients and access log, and watermark mappings. Audio stays out (it is
 * downloadable track by track); password hashes, token hashes and wrapped keys never appear.
 */
export async function exportAccount(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  userId: string,
): Promise<Record<string, unknown>> {
  const user = await withIdentity(deps.db, (tx) =>
    tx('users')
      .where({ id: userId })
      .first('id', 'email', 'display_name', 'created_at', 'delete_after'),
  );
  if (!user) throw new NotFoundError('user');
  const memberships = await listMemberships(deps, userId);
  const organizations = [];
  for (const m of memberships) {
    if (m.role !== 'owner') {
      organizations.push({
        id: m.organizationId,
        name: m.name,
        role: m.role,
        joinedAt: m.joinedAt,
      });
      continue;
    }
    const data = await withTenant(deps.db, m.organizationId, async (tx) => ({
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
    }));
    organizations.push({
      id: m.organizationId,
      name: m.name,
      role: m.role,
      personal: m.personal,
      joinedAt: m.joinedAt,
      ...data,
    });
  }
  return {
    format: EXPORT_FORMAT,
    exportedAt: deps.clock.now(),
    account: {
      id: user.id,
      email: user.email,
      displayName: user.display_name,
      createdAt: user.created_at,
      deleteAfter: user.delete_after,
    },
    sessions: await listSessions(deps, userId),
    loginHistory: await loginHistory(deps, userId, 1000),
    organizations,
  };
}
