import type { BlockLayout } from './block-layout.js';
import { convEncode } from './convolutional.js';
import { activeBackend } from './implementation.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';
import { checkInfoBlock } from './payload.js';

/** Outcome of decoding folded block values. */
export interface BlockDecode {
  /** Payload hex when the CRC matched. */
  payload?: string;
  /** Sync statistic: Σ S·F / √(Σ |S|·F²) over sync cells. */
  zSync: number;
  /** Whole-block statistic for the decoded codeword: Σ sign·F / √(Σ F²) over all cells. */
  tTotal: number;
  /** Coded bits whose soft value disagrees with the re-encoded codeword (of those observed). */
  bitErrors: number;
  /** Coded bits with at least one observed cell. */
  observedBits: number;
  /** The decoded info bits (whitened payload, CRC and tail), whether or not the CRC matched. */
  info: Uint8Array;
}

/**
 * Decodes folded values F (BLOCK_FRAMES × bands, block-aligned: row = block frame index): soft
 * value of coded bit c = Σ over its cells of scramble·F, soft Viterbi, whitening removal, CRC check.
 */
export function decodeBlock(folded: Float32Array, layout: BlockLayout): BlockDecode {
  const cells = BLOCK_FRAMES * BANDS_PER_FRAME;
  const soft = new Float64Array(layout.codedLength);
  const seen = new Uint8Array(layout.codedLength);
  let syncScore = 0;
  let syncEnergy = 0;
  let energy = 0;
  for (let c = 0; c < cells; c++) {
    const v = folded[c] as number;
    if (v === 0) continue;
    energy += v * v;
    const s = layout.syncSign[c] as number;
    if (s !== 0) {
      syncScore += s * v;
      syncEnergy += v * v;
    } else {
      const bit = layout.dataBit[c] as number;
      soft[bit] = (soft[bit] as number) + (layout.dataSign[c] as number) * v;
      seen[bit] = 1;
    }
  }
  const zSync = syncEnergy > 0 ? syncScore / Math.sqrt(syncEnergy) : 0;
  const info = activeBackend().viterbi(soft, layout.infoLength);
  const payload = checkInfoBlock(info, layout.payloadBits, layout.whitening);
  const coded = convEncode(info);
  let bitErrors = 0;
  let observedBits = 0;
  for (let i = 0; i < coded.length; i++) {
    if (!seen[i]) continue;
    observedBits++;
    if ((soft[i] as number) > 0 !== (coded[i] === 1)) bitErrors++;
  }
  let total = syncScore;
  for (let c = 0; c < cells; c++) {
    const v = folded[c] as number;
    if (v === 0 || layout.syncSign[c] !== 0) continue;
    const bit = coded[layout.dataBit[c] as number] as number;
    total += (bit ? 1 : -1) * (layout.dataSign[c] as number) * v;
  }
  const tTotal = energy > 0 ? total / Math.sqrt(energy) : 0;
  return payload === undefined
    ? { zSync, tTotal, bitErrors, observedBits, info }
    : { payload, zSync, tTotal, bitErrors, observedBits, info };
}
