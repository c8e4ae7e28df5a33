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
  const zPart = zSync > 0 ? (zSync * zSync) / 2 : 0;
  const tPart = tTotal > 0 ? (tTotal * tTotal) / 2 : 0;
  const p1 = logH - zPart - CRC_BITS * Math.LN2;
  const p2 = logH + payloadBits * Math.LN2 - tPart;
  return Math.min(0, Math.LN2 + Math.min(p1, p2));
}
