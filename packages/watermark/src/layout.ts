import { activeBackend } from './implementation.js';
import type { WatermarkKey } from './key.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';

/**
 * The keyed layout of one block (BLOCK_FRAMES frames × BANDS_PER_FRAME bands = one "cell" each).
 * Each cell either carries a sync sign or one repetition of a coded payload bit.
 */
export interface BlockLayout {
  readonly payloadBits: number;
  readonly infoLength: number;
  readonly codedLength: number;
  /** Per cell: +1/−1 sync sign, 0 for a data cell. Index = blockFrame · BANDS_PER_FRAME + band. */
  readonly syncSign: Int8Array;
  /** Per cell: coded bit index carried by a data cell, −1 for a sync cell. */
  readonly dataBit: Int32Array;
  /** Per cell: keyed scramble sign (±1) of a data cell; a cell carries (2c−1)·scramble. */
  readonly dataSign: Int8Array;
  /** Keyed whitening bits XORed onto payload and CRC before coding. */
  readonly whitening: Uint8Array;
}

const CELLS = BLOCK_FRAMES * BANDS_PER_FRAME;
const cache = new Map<string, BlockLayout>();

/**
 * Layout for `key` and a payload size, derived by the active backend (the native module takes a
 * few milliseconds, TypeScript about 0.1 s) and cached per key and size.
 */
export function blockLayout(key: WatermarkKey, payloadBits: number): BlockLayout {
  let id = `${payloadBits}:`;
  for (const b of key.secret) id += b.toString(16).padStart(2, '0');
  const hit = cache.get(id);
  if (hit) return hit;
  const layout = activeBackend().deriveLayout(key.secret, payloadBits);
  if (cache.size > 64) cache.clear();
  cache.set(id, layout);
  return layout;
}

/**
 * Sign (+1/−1) of every cell of the block for a given coded payload: sync sign for sync cells,
 * (2c−1)·scramble for data cells.
 */
export function cellSigns(layout: BlockLayout, coded: Uint8Array): Int8Array {
  const out = new Int8Array(CELLS);
  for (let c = 0; c < CELLS; c++) {
    const s = layout.syncSign[c] as number;
    if (s !== 0) out[c] = s;
    else {
      const bit = coded[layout.dataBit[c] as number] as number;
      out[c] = (bit ? 1 : -1) * (layout.dataSign[c] as number);
    }
  }
  return out;
}
