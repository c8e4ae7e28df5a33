import { type BlockDecode, decodeBlock } from './block-decoder.js';
import type { BlockLayout } from './block-layout.js';
import { convEncode } from './convolutional.js';
import { cellSigns } from './layout.js';
import {
  BANDS_PER_FRAME,
  BLOCK_FRAMES,
  MIXTURE_MAX_ERROR_RATE,
  MIXTURE_MIN_STATISTIC_RATIO,
} from './params.js';
import { buildInfoBlock, payloadBytes } from './payload.js';

/**
 * A mark found by cancelling others: its decode, with `tTotal` over the data cells of what was
 * left once the other payloads were cancelled.
 */
export interface FurtherMark extends BlockDecode {
  payload: string;
  /**
   * For a mark split out of a decode that follows two codewords in turn: the number of cuts
   * tried (each yields a pair of decodes that both pass the CRC by chance with probability at
   * most 2^−48); 0 otherwise.
   */
  splitPairs: number;
}

/**
 * Marks of other payloads of the same key in the same folded values (copies of several
 * recipients averaged or spliced together). Successive cancellation: the contribution of every
 * payload found so far is estimated by least squares, per band, over the data cells (a mark's
 * strength varies with the band's gain and with its share of the mix) and subtracted; the
 * residual is decoded again. When a decode fails the CRC, it may follow one codeword and then
 * another (equal shares leave the decoder free to switch where that pays): {@link splitMixture}
 * then tries to recover both. Sync cells are shared by every copy and are left out of the
 * statistics. Stops at `max` marks in all (`first` counts), or when nothing new is decoded, or
 * when a failed decode is too weak beside the marks found to hide a colluder whose share counts.
 * `attempts` counts the decodes tried (each is one more hypothesis of the search).
 */
export function furtherMarks(
  folded: Float32Array,
  layout: BlockLayout,
  first: string | undefined,
  max: number,
): { marks: FurtherMark[]; attempts: number } {
  const residual = new Float32Array(folded);
  const found = new Set<string>();
  const marks: FurtherMark[] = [];
  let fresh = first === undefined ? [] : [first];
  let attempts = 0;
  // Data statistic of the strongest mark found so far, before any cancellation. The first mark's
  // is needed only when a split is considered, so it is computed then.
  let firstStatistic: number | undefined;
  let strongestFurther = 0;
  const strongest = (): number => {
    if (first !== undefined && firstStatistic === undefined) {
      firstStatistic = dataStatistic(folded, layout, signsOf(layout, first));
    }
    return Math.max(firstStatistic ?? 0, strongestFurther);
  };
  for (;;) {
    for (const p of fresh) {
      cancel(residual, layout, signsOf(layout, p));
      found.add(p);
    }
    fresh = [];
    if (found.size >= max) break;
    attempts++;
    const dec = decodeBlock(residual, layout);
    if (dec.payload !== undefined) {
      if (found.has(dec.payload)) break;
      const tTotal = dataStatistic(residual, layout, signsOf(layout, dec.payload));
      marks.push({ ...dec, payload: dec.payload, tTotal, splitPairs: 0 });
      strongestFurther = Math.max(strongestFurther, tTotal);
      fresh = [dec.payload];
      continue;
    }
    // Split only what still looks like marks: a decode of noise has 30–32% coded-bit errors with
    // this code, and the residue a strong mark leaves behind has a data statistic far below the
    // marks found (a colluder whose share counts has at least half the strongest one's).
    if (dec.bitErrors > MIXTURE_MAX_ERROR_RATE * dec.observedBits) break;
    const strongestSoFar = strongest();
    if (
      strongestSoFar > 0 &&
      dataStatistic(residual, layout, cellSigns(layout, convEncode(dec.info))) <
        MIXTURE_MIN_STATISTIC_RATIO * strongestSoFar
    )
      break;
    const split = splitMixture(residual, layout, dec.info);
    attempts += split.attempts;
    if (split.marks.length === 0 || split.marks.some((m) => found.has(m.payload))) break;
    marks.push(...split.marks);
    for (const m of split.marks) strongestFurther = Math.max(strongestFurther, m.tTotal);
    fresh = split.marks.map((m) => m.payload);
  }
  return { marks, attempts };
}

/**
 * Two payloads out of a decode `info` that failed the CRC because it follows codeword X up to
 * some info bit and codeword Y after it, with a few bits of neither where it switches (equal
 * shares leave the decoder free to switch where that pays). Cancelling that decode leaves the
 * complementary path (Y, then X), decoded as `other`. For cuts k from the middle outwards,
 * info[<k] + other[≥k] is mostly X: cancelling it leaves Y dominant, which then decodes cleanly;
 * cancelling Y from the input leaves X. Both must pass their CRC. Each payload's statistics are
 * those of the input once the other is cancelled.
 */
export function splitMixture(
  folded: Float32Array,
  layout: BlockLayout,
  info: Uint8Array,
): { marks: FurtherMark[]; attempts: number } {
  const rest = new Float32Array(folded);
  cancel(rest, layout, cellSigns(layout, convEncode(info)));
  const other = decodeBlock(rest, layout).info;
  let attempts = 1;
  const span = layout.payloadBits + 24;
  const guess = new Uint8Array(info.length);
  for (let i = 0; i < SPLIT_CUTS; i++) {
    const step = Math.ceil(span / (SPLIT_CUTS + 1));
    const k = Math.min(
      span - 1,
      Math.max(1, Math.round(span / 2 + (i % 2 ? -1 : 1) * Math.ceil(i / 2) * step)),
    );
    guess.set(info.subarray(0, k), 0);
    guess.set(other.subarray(k), k);
    const r = new Float32Array(folded);
    cancel(r, layout, cellSigns(layout, convEncode(guess)));
    attempts++;
    const y = decodeBlock(r, layout).payload;
    if (y === undefined) continue;
    const rx = new Float32Array(folded);
    cancel(rx, layout, signsOf(layout, y));
    attempts++;
    const dx = decodeBlock(rx, layout);
    if (dx.payload === undefined || dx.payload === y) continue;
    const ry = new Float32Array(folded);
    cancel(ry, layout, signsOf(layout, dx.payload));
    attempts++;
    const dy = decodeBlock(ry, layout);
    const mark = (p: string, residual: Float32Array, d: BlockDecode): FurtherMark => ({
      ...d,
      payload: p,
      tTotal: dataStatistic(residual, layout, signsOf(layout, p)),
      splitPairs: SPLIT_CUTS,
    });
    return { marks: [mark(dx.payload, rx, dx), mark(y, ry, dy)], attempts };
  }
  return { marks: [], attempts };
}

/** Cuts tried by {@link splitMixture}. */
const SPLIT_CUTS = 12;

/** Cell signs of a payload (hex) under `layout`. */
function signsOf(layout: BlockLayout, payload: string): Int8Array {
  return cellSigns(layout, convEncode(buildInfoBlock(payloadBytes(payload), layout.whitening)));
}

/** r ← r − a_b·s on the data cells of every band b, with a_b = Σ s·r / (cells) over the band. */
export function cancel(r: Float32Array, layout: BlockLayout, signs: Int8Array): void {
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
