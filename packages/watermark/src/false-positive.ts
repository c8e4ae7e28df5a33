import { CRC_BITS } from './params.js';

/**
 * Natural log of the false-positive bound of a decoded match (see docs/watermark.md, "False
 * positives"). Under the null hypothesis (no mark made with this key) every keyed sign is an
 * independent fair ±1 given the audio, so for any fixed hypothesis h and fixed sign pattern the
 * self-normalized statistic Σ sᵢvᵢ / √(Σ vᵢ²) exceeds x with probability ≤ exp(−x²/2)
 * (Hoeffding's inequality for Rademacher sums). Two union bounds over the `hypotheses` the search
 * scored:
 *  - sync + CRC: P ≤ H · exp(−z²/2) · 2^−24 (the CRC check is independent of the sync cells);
 *  - whole block: P ≤ H · 2^payloadBits · exp(−t²/2) (union over every CRC-valid codeword).
 * The reported value is 2 · min of the two (a valid bound for the minimum of two valid bounds).
 */
export function logFalsePositiveBound(
  zSync: number,
  tTotal: number,
  payloadBits: number,
  hypotheses: number,
): number {
  const logH = Math.log(Math.max(1, hypotheses));
  const p1 = logH - halfSquare(zSync) - CRC_BITS * Math.LN2;
  return Math.min(0, Math.LN2 + Math.min(p1, logWholeBlock(tTotal, payloadBits, hypotheses)));
}

/**
 * Natural log of the false-positive bound of a further mark, found under a first one by
 * cancelling it (see further-marks.ts): only the whole-block bound applies, over the data cells
 * of the residual, P ≤ H · 2^payloadBits · exp(−t²/2), times 2 as for a first mark. The sync
 * cells and the CRC pass are shared with the first mark and are no evidence of a second one.
 * A mark split out of a mixed decode adds the chance that one of `splitPairs` (prefix, suffix)
 * pairs passes both CRCs by accident: splitPairs · 2^−2·CRC_BITS.
 */
export function logFurtherMarkBound(
  tData: number,
  payloadBits: number,
  hypotheses: number,
  splitPairs = 0,
): number {
  const wholeBlock = Math.LN2 + logWholeBlock(tData, payloadBits, hypotheses);
  if (splitPairs <= 0) return Math.min(0, wholeBlock);
  const pairs = Math.log(splitPairs) - 2 * CRC_BITS * Math.LN2;
  const hi = Math.max(wholeBlock, pairs);
  return Math.min(0, hi + Math.log1p(Math.exp(Math.min(wholeBlock, pairs) - hi)));
}

/** ln(H · 2^payloadBits · exp(−t²/2)): the union over hypotheses and CRC-valid codewords. */
function logWholeBlock(t: number, payloadBits: number, hypotheses: number): number {
  return Math.log(Math.max(1, hypotheses)) + payloadBits * Math.LN2 - halfSquare(t);
}

/** x²/2 for x > 0, else 0 (a negative statistic is no evidence). */
function halfSquare(x: number): number {
  return x > 0 ? (x * x) / 2 : 0;
}

/**
 * Natural log of the false-positive bound of a candidate match (informed detection, see
 * informed-search.ts): the data statistic of one fixed payload's pattern at one alignment is a
 * Rademacher sum when that payload is not there, so P(t ≥ x) ≤ exp(−x²/2); the union runs over
 * the `trials` (alignment, candidate) pairs scored in the whole search. The alignments were chosen
 * by the sync cells, which the data statistic leaves out.
 */
export function logCandidateBound(tData: number, trials: number): number {
  return Math.min(0, Math.log(Math.max(1, trials)) - halfSquare(tData));
}
