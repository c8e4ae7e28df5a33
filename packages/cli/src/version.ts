import { readFileSync } from 'node:fs';

/** The version of the `vaultmark` command, read from its package manifest. */
export function cliVersion(): string {
  // Both `src/` (tests) and `dist/` (installed) sit one level below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return String(manifest.version);
}
