import { type BlockDecode, decodeBlock } from './block-decoder.js';
import { convEncode } from './convolutional.js';
import { type BlockLayout, cellSigns } from './layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';
import { buildInfoBlock, payloadBytes } from './payload.js';

/** A further mark found under a first one: its decode, with `tTotal` over data cells only. */
export interface FurtherMark extends BlockDecode {
  payload: string;
}

/**
 * Marks of other payloads of the same key in the same folded values (copies of several
 * recipients averaged or spliced together). Successive cancellation: the contribution of every
 * payload found so far is estimated by least squares, per band, over the data cells (a mark's
 * strength varies with the band's gain and how much of the mix it holds) and subtracted; the
 * residual is decoded again. Sync cells are shared by every copy and are left out of the
 * statistic: `tTotal` of a further mark is Σ sign·r / √(Σ r²) over the residual r of the data
 * cells. Stops at `max` marks in all, or when a decode fails the CRC or repeats a payload.
 * `attempts` counts the decodes tried (each is one more hypothesis of the search).
 */
export function furtherMarks(
  folded: Float32Array,
  layout: BlockLayout,
  first: string,
  max: number,
): { marks: FurtherMark[]; attempts: number } {
  const residual = new Float32Array(folded);
  const found = new Set([first]);
  const marks: FurtherMark[] = [];
  let signs = signsOf(layout, first);
  let attempts = 0;
  while (found.size < max) {
    cancel(residual, layout, signs);
    attempts++;
    const dec = decodeBlock(residual, layout);
    if (dec.payload === undefined || found.has(dec.payload)) break;
    signs = signsOf(layout, dec.payload);
    marks.push({ ...dec, payload: dec.payload, tTotal: dataStatistic(residual, layout, signs) });
    found.add(dec.payload);
  }
  return { marks, attempts };
}

/** Cell signs of a payload (hex) under `layout`. */
function signsOf(layout: BlockLayout, payload: string): Int8Array {
  return cellSigns(layout, convEncode(buildInfoBlock(payloadBytes(payload), layout.whitening)));
}

/** r ← r − a_b·s on the data cells of every band b, with a_b = Σ s·r / (cells) over the band. */
function cancel(r: Float32Array, layout: BlockLayout, signs: Int8Array): void {
  const nb = BANDS_PER_FRAME;
  for (let b = 0; b < nb; b++) {
    let dot = 0;
    let n = 0;
    for (let j = 0; j < BLOCK_FRAMES; j++) {
      const c = j * nb + b;
      const v = r[c] as number;
      if (v === 0 || layout.syncSign[c] !== 0) continue;
      dot += (signs[c] as number) * v;
      n++;
    }
    if (n === 0) continue;
    const a = dot / n;
    for (let j = 0; j < BLOCK_FRAMES; j++) {
      const c = j * nb + b;
      const v = r[c] as number;
      if (v === 0 || layout.syncSign[c] !== 0) continue;
      r[c] = v - a * (signs[c] as number);
    }
  }
}

/** Σ s·r / √(Σ r²) over the data cells. */
function dataStatistic(r: Float32Array, layout: BlockLayout, signs: Int8Array): number {
  let score = 0;
  let energy = 0;
  for (let c = 0; c < r.length; c++) {
    const v = r[c] as number;
    if (v === 0 || layout.syncSign[c] !== 0) continue;
    score += (signs[c] as number) * v;
    energy += v * v;
  }
  return energy > 0 ? score / Math.sqrt(energy) : 0;
}
