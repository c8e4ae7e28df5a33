import type { BlockLayout } from './block-layout.js';
import { codedLength } from './convolutional.js';
import { KeyedRandom } from './keyed-random.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES, CRC_BITS, SYNC_BANDS_PER_FRAME } from './params.js';
import { infoBits } from './payload.js';

const CELLS = BLOCK_FRAMES * BANDS_PER_FRAME;

/**
 * Derives the keyed layout of `secret` for a payload size in TypeScript (the reference; the
 * native module derives the same layout bit for bit): keyed shuffles and signs from
 * {@link KeyedRandom} streams, one per purpose and frame.
 */
export function deriveLayoutTs(secret: Uint8Array, payloadBits: number): BlockLayout {
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
