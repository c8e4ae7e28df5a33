import { appendActorAudit } from '../audit/audit-log.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { type Actor, authorize } from '../policies.js';
import { isNotificationKind, NOTIFICATION_KINDS, type NotificationKindName } from './kinds.js';

/** A member's choice for one kind, with the kind's wording for a settings page. */
export interface NotificationSetting {
  kind: NotificationKindName;
  label: string;
  description: string;
  email: boolean;
  inApp: boolean;
}

/** A change of one kind's setting. */
export interface NotificationSettingInput {
  kind: string;
  email: boolean;
  inApp: boolean;
}

/** The actor's settings in their organization: every kind, with its defaults where unchanged. */
export async function getNotificationSettings(
  deps: Pick<VaultDeps, 'db'>,
  actor: Actor,
): Promise<NotificationSetting[]> {
  authorize(actor, 'notification', 'read');
  const rows = await withTenant(deps.db, actor.tenantId, (tx) =>
    tx('notification_settings')
      .where({ tenant_id: actor.tenantId, user_id: actor.userId })
      .select('kind', 'email', 'in_app'),
  );
  const chosen = new Map(rows.map((r) => [r.kind as string, r]));
  return (Object.keys(NOTIFICATION_KINDS) as NotificationKindName[]).map((kind) => {
    const k = NOTIFICATION_KINDS[kind];
    const row = chosen.get(kind);
    return {
      kind,
      label: k.label,
      description: k.description,
      email: row ? Boolean(row.email) : k.defaults.email,
      inApp: row ? Boolean(row.in_app) : k.defaults.inApp,
    };
  });
}

/**
 * Sets the actor's own settings for the kinds given (others keep theirs); audited as
 * `notification.settings`. Returns every kind's setting.
 */
export async function setNotificationSettings(
  deps: Pick<VaultDeps, 'db' | 'clock'>,
  actor: Actor,
  settings: NotificationSettingInput[],
): Promise<NotificationSetting[]> {
  authorize(actor, 'notification', 'configure');
  if (!Array.isArray(settings) || settings.length === 0 || settings.length > 100) {
    throw new ValidationError('settings must list 1 to 100 kinds', 'settings');
  }
  for (const s of settings) {
    if (!isNotificationKind(s?.kind)) {
      throw new ValidationError('unknown notification kind', 'kind');
    }
    if (typeof s.email !== 'boolean' || typeof s.inApp !== 'boolean') {
      throw new ValidationError('email and inApp must be true or false', 'settings');
    }
  }
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    for (const s of settings) {
      await tx('notification_settings')
        .insert({
          tenant_id: actor.tenantId,
          user_id: actor.userId,
          kind: s.kind,
          email: s.email,
          in_app: s.inApp,
          updated_at: now,
        })
        .onConflict(['tenant_id', 'user_id', 'kind'])
        .merge(['email', 'in_app', 'updated_at']);
    }
    await appendActorAudit(tx, now, actor, {
      action: 'notification.settings',
      objectType: 'user',
      objectId: actor.userId,
      detail: {
        muted: settings.flatMap((s) => [
          ...(s.email ? [] : [`${s.kind}:email`]),
          ...(s.inApp ? [] : [`${s.kind}:inApp`]),
        ]),
      },
    });
  });
  return getNotificationSettings(deps, actor);
}
