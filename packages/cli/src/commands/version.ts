import { activeImplementation, FORMAT_VERSION } from '@vaultmark/watermark';
import { cliVersion } from '../version.js';

/** `vaultmark --version`: the version and which watermark implementation is active. */
export function versionText(): string {
  const impl = activeImplementation();
  const why = impl.reason ? ` (${impl.reason})` : '';
  return `vaultmark ${cliVersion()}\nwatermark format v${FORMAT_VERSION}, implementation: ${impl.name}${why}`;
}
