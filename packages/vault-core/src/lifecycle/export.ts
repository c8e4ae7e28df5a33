import { listMemberships, loginHistory } from '../accounts/accounts.js';
import { listSessions } from '../accounts/sessions.js';
import { withIdentity, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { notificationRecords } from '../notifications/feed.js';
import { organizationRecords } from './organization-records.js';

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
        // The member's own notifications there (an owner's come with the organization's records).
        ...(await withTenant(deps.db, m.organizationId, (tx) => notificationRecords(tx, userId))),
      });
      continue;
    }
    const data = await withTenant(deps.db, m.organizationId, organizationRecords);
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
