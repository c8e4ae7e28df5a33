/**
 * `@vaultmark/vault-core/testing`: a few internals for tests and benchmarks of the packages
 * built on the vault, which need to arrange or inspect rows the use-cases never expose (an
 * expired share, an erased object, the jobs a request queued). Not part of the public API:
 * nothing in production code imports this entry point, and it may change with any release.
 */

export { type Tx, withIdentity, withSystem, withTenant } from './db/transactions.js';
export type { VaultDeps } from './deps.js';
export {
  markedWavLayout,
  type SampleSource,
  watermarkedWav,
} from './media/watermarked-wav.js';
export { vaultDeps } from './vault.js';
