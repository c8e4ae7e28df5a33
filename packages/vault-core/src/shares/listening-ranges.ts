import { ValidationError } from '../errors.js';

/** A stretch of a track that was played, `[from, to]` in seconds. */
export type Range = readonly [number, number];

/** Most stretches one listening report may carry. */
export const MAX_RANGES = 500;

/**
 * Checks a player's report of the stretches it played: at most {@link MAX_RANGES} pairs of
 * finite seconds with `0 <= from < to <= 86400`. Returns them merged.
 */
export function checkRanges(value: unknown): Range[] {
  if (!Array.isArray(value) || value.length > MAX_RANGES) {
    throw new ValidationError(`ranges must be a list of at most ${MAX_RANGES} pairs`, 'ranges');
  }
  const ranges = value.map((r) => {
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      !r.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      r[0] < 0 ||
      r[0] >= r[1] ||
      r[1] > 86_400
    ) {
      throw new ValidationError('each range must be [from, to] seconds, from < to', 'ranges');
    }
    return [r[0], r[1]] as const;
  });
  return mergeRanges(ranges);
}

/** The union of stretches, as sorted disjoint ranges (touching ones joined). */
export function mergeRanges(ranges: Iterable<Range>): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Total seconds covered by merged ranges. */
export function coveredSeconds(merged: ReadonlyArray<Range>): number {
  return merged.reduce((sum, [a, b]) => sum + (b - a), 0);
}
