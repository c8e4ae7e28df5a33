import { InvalidArgumentError } from 'commander';

/** Parses a positive integer option value, with a usage error otherwise. */
export function parseIntegerOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return Number(value);
}

/** Parses a positive number option value, with a usage error otherwise. */
export function parseNumberOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a positive number');
  }
  return n;
}
