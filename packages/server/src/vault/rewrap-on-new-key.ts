import type { Vault } from '@vaultmark/vault-core';
import type { Logger } from 'pino';

/** How often the server looks for a new key-encryption key in the key file (ms). */
export const REWRAP_CHECK_MS = 10_000;

/**
 * With the embedded database no other process may open it while the server runs, so
 * `vaultmark keys rotate` can only add the new KEK to the key file: the server notices it (checked
 * every 10 s, and once at start, which also resumes a re-wrap a stop interrupted) and re-wraps
 * every data key itself, in the background, while it keeps serving.
 */
export function rewrapOnNewKey(
  vault: Vault,
  logger: Logger,
  intervalMs = REWRAP_CHECK_MS,
): { stop(waitMs?: number): Promise<void>; idle(): Promise<void> } {
  let seen: string | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const check = () => {
    if (busy) return;
    const current = vault.keys.deploymentKeyId();
    if (current === seen) return;
    busy = true;
    running = (async () => {
      const status = await vault.keys.rotationStatus();
      // Nothing to do when the last rotation reached this key and left nothing behind.
      if (status?.targetKeyId === current && status.remaining === 0) {
        seen = current;
        return;
      }
      logger.info({ keyId: current }, 're-wrapping data keys under the new key-encryption key');
      const report = await vault.keys.rewrap();
      logger.info({ ...report }, 'data keys re-wrapped');
      if (report.state === 'completed') seen = current;
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 're-wrapping data keys failed'))
      .finally(() => {
        busy = false;
      });
  };
  check();
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return {
    /** Stops checking; waits for a re-wrap under way, at most `waitMs` (it resumes next start). */
    async stop(waitMs = 2000) {
      clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        running,
        new Promise((resolve) => {
          timeout = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timeout);
    },
    idle: () => running,
  };
}
