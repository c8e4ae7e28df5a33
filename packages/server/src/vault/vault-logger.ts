import type { Logger as VaultLogger } from '@vaultmark/vault-core';
import type { Logger } from 'pino';

/**
 * The vault's logger port on the server's pino logger: vault-core's events (ids, counts, error
 * codes; never secrets) become records of the `vault` component with the event name as message.
 */
export function vaultLogger(logger: Logger): VaultLogger {
  const vault = logger.child({ component: 'vault' });
  return {
    warn: (event, fields) => vault.warn({ event, ...fields }, event),
    error: (event, fields) => vault.error({ event, ...fields }, event),
  };
}
