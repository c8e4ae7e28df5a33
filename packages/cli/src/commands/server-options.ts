import { InvalidArgumentError } from 'commander';

/** Parses a TCP port (0 picks a free one). */
export function parsePortOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('expected a port number (0-65535)');
  }
  return Number(value);
}

/** Resolves with the signal's name at the first SIGINT or SIGTERM. */
export function untilShutdown(): Promise<'SIGINT' | 'SIGTERM'> {
  return new Promise((resolve) => {
    const on = (signal: 'SIGINT' | 'SIGTERM') => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
