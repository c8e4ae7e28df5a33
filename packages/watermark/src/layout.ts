import { codedLength } from './convolutional.js';
import type { WatermarkKey } from './key.js';
import { KeyedRandom } from './keyed-random.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES, CRC_BITS, SYNC_BANDS_PER_FRAME } from './params.js';
import { infoBits } from './payload.js';

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

/** Layout for `key` and a payload size; cached (a few milliseconds to derive). */
export function blockLayout(key: WatermarkKey, payloadBits: number): BlockLayout {
  let id = `${payloadBits}:`;
  for (const b of key.secret) id += b.toString(16).padStart(2, '0');
  const hit = cache.get(id);
  if (hit) return hit;
  const layout = deriveLayout(key.secret, payloadBits);
  if (cache.size > 64) cache.clear();
  cache.set(id, layout);
  return layout;
}

function deriveLayout(secret: Uint8Array, payloadBits: number): BlockLayout {
  const infoLength = infoBits(payloadBits);
  const coded = codedLength(infoLength);
  const syncSign = new Int8Array(CELLS);
  const dataBit = new Int32Array(CELLS).fill(-1);
  const dataSign = new Int8Array(CELLS);
  const bands = new Int32Array(BANDS_PER_FRAME);
  for (let f = 0; f < BLOCK_FRAMES; f++) {
    // Which bands of this frame carry sync: the first SYNC_BANDS_PER_FRAME of a keyed shuffle.
    const pick = new KeyedRandom(secret, 'sync-bands', f);
    for (let b = 0; b < BANDS_PER_FRAME; b++) bands[b] = b;
    pick.shuffle(bands);
    // Independent uniform sync signs: the false-positive bound (Hoeffding) relies on it.
    const signs = new KeyedRandom(secret, 'sync-signs', f);
    for (let i = 0; i < SYNC_BANDS_PER_FRAME; i++) {
      const cell = f * BANDS_PER_FRAME + (bands[i] as number);
      syncSign[cell] = signs.nextBit() ? 1 : -1;
    }
    const scramble = new KeyedRandom(secret, 'data-signs', f);
    for (let b = 0; b < BANDS_PER_FRAME; b++)
      dataSign[f * BANDS_PER_FRAME + b] = scramble.nextBit() ? 1 : -1;
  }
  // Interleave: data cells in keyed order, coded bit = position mod coded length, so every coded
  // bit is spread evenly over the whole block (any excerpt sees some copies of every bit).
  const dataCells: number[] = [];
  for (let c = 0; c < CELLS; c++) if (syncSign[c] === 0) dataCells.push(c);
  new KeyedRandom(secret, 'data-order', payloadBits).shuffle(dataCells);
  for (let i = 0; i < dataCells.length; i++) dataBit[dataCells[i] as number] = i % coded;
  const white = new KeyedRandom(secret, 'whitening', payloadBits);
  const whitening = new Uint8Array(payloadBits + CRC_BITS);
  for (let i = 0; i < whitening.length; i++) whitening[i] = white.nextBit();
  return { payloadBits, infoLength, codedLength: coded, syncSign, dataBit, dataSign, whitening };
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
