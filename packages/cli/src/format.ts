/**
 * A probability for people: scientific notation, and from the log10 when the value underflows a
 * double (very strong detections: `2.09e-545`), never a bare 0.
 */
export function formatProbability(p: number, log10?: number): string {
  if (p > 0) return p.toExponential(2);
  if (log10 !== undefined && Number.isFinite(log10)) {
    const exponent = Math.floor(log10);
    return `${(10 ** (log10 - exponent)).toFixed(2)}e${exponent}`;
  }
  return '< 1e-300';
}

/** Seconds with millisecond precision, without a negative zero. */
export function formatSeconds(seconds: number): string {
  const rounded = Math.round(seconds * 1000) / 1000;
  return (rounded === 0 ? 0 : rounded).toFixed(3);
}

/** How a mark too damaged to decode was found: among the payloads issued under its key. */
export function matchedAmong(candidates: number): string {
  return `matched among ${candidates} issued payloads (too damaged to decode)`;
}
