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
