/** Cross-validation folds for the fitting scripts (tempo-tune.ts, key-fit.ts). */

/**
 * Fold of case `i` (id as in corpus-wide.ts) among `folds`: the MMA songs are grouped by groove
 * (all of a groove's songs in one fold), so a cross-validated score measures what carries over to
 * styles the fit has not seen; other items go round-robin.
 */
export function foldOf(id: string, i: number, folds: number): number {
  const [source, , groove] = id.split('-');
  if (source !== 'mma' || !groove) return i % folds;
  let h = 0;
  for (const ch of groove) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % folds;
}
