import type { BlockLayout } from './block-layout.js';
import { activeBackend } from './implementation.js';
import type { WatermarkKey } from './key.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';

const CELLS = BLOCK_FRAMES * BANDS_PER_FRAME;
const cache = new Map<string, BlockLayout>();
const syncCellLists = new WeakMap<BlockLayout, Int32Array>();

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

/** Indices of the sync cells of `layout`, in increasing order (computed once per layout). */
export function syncCells(layout: BlockLayout): Int32Array {
  let list = syncCellLists.get(layout);
  if (!list) {
    let n = 0;
    for (let c = 0; c < CELLS; c++) if (layout.syncSign[c] !== 0) n++;
    list = new Int32Array(n);
    n = 0;
    for (let c = 0; c < CELLS; c++) if (layout.syncSign[c] !== 0) list[n++] = c;
    syncCellLists.set(layout, list);
  }
  return list;
}
