import { withIdentity } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';

/** What an account page shows about the signed-in user. */
export interface AccountProfile {
  email: string;
  displayName: string;
  /** Whether sign-in asks for an authenticator code (set-up confirmed, not merely started). */
  twoFactorEnabled: boolean;
  twoFactorEnabledAt: Date | null;
  /** Unused recovery codes left (0 without two-factor sign-in). */
  recoveryCodesLeft: number;
}

/** The signed-in user's own profile and second-factor state. */
export async function getAccountProfile(
  deps: Pick<VaultDeps, 'db'>,
  userId: string,
): Promise<AccountProfile> {
  return withIdentity(deps.db, async (tx) => {
    const user = await tx('users')
      .where({ id: userId })
      .whereNull('deleted_at')
      .first('email', 'display_name', 'totp_enabled_at');
    if (!user) throw new NotFoundError('user');
    const codes = await tx('recovery_codes')
      .where({ user_id: userId })
      .whereNull('used_at')
      .count<{ n: string }[]>({ n: '*' })
      .first();
    const enabledAt = user.totp_enabled_at ? new Date(user.totp_enabled_at) : null;
    return {
      email: user.email,
      displayName: user.display_name,
      twoFactorEnabled: enabledAt !== null,
      twoFactorEnabledAt: enabledAt,
      recoveryCodesLeft: enabledAt ? Number(codes?.n ?? 0) : 0,
    };
  });
}
