import { cliVersion } from '../version.js';

/** `vaultmark --version`: the version and which watermark implementation is active. */
export function versionText(): string {
  return `vaultmark ${cliVersion()}`;
}
