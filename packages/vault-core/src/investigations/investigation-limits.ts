import { DEFAULT_INVESTIGATION_POLICY, type InvestigationPolicy, type VaultDeps } from '../deps.js';

/**
 * The vault's limits on investigations (largest found file, hourly cap), so a front end can
 * refuse an oversized upload while it streams in rather than after.
 */
export function investigationLimits(deps: Pick<VaultDeps, 'investigations'>): InvestigationPolicy {
  return { ...(deps.investigations ?? DEFAULT_INVESTIGATION_POLICY) };
}
