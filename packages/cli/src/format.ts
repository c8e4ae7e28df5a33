/**
 * A probability for people: scientific notation, and `1e-N` from the log when the value
 * underflows a double (very strong detections), never a bare 0.
 */
export function formatProbability(p: number, log10?: number): string {
  if (p > 0) return p.toExponential(2);
  if (log10 !== undefined && Number.isFinite(log10)) return `1e${Math.floor(log10)}`;
  return '< 1e-300';
}

/** Seconds with millisecond precision, without a negative zero. */
export function formatSeconds(seconds: number): string {
  const rounded = Math.round(seconds * 1000) / 1000;
  return (rounded === 0 ? 0 : rounded).toFixed(3);
}
