import { CONV_CONSTRAINT, CONV_GENERATORS } from './params.js';

const RATE = CONV_GENERATORS.length;
const STATES = 1 << (CONV_CONSTRAINT - 1);

function parity(x: number): number {
  let v = x;
  v ^= v >> 16;
  v ^= v >> 8;
  v ^= v >> 4;
  v ^= v >> 2;
  v ^= v >> 1;
  return v & 1;
}

/** Output bits of every (state, input) transition, precomputed: OUT[(state << 1 | bit) * RATE + g]. */
const OUT = new Uint8Array(STATES * 2 * RATE);
for (let s = 0; s < STATES; s++) {
  for (let b = 0; b < 2; b++) {
    const reg = (b << (CONV_CONSTRAINT - 1)) | s;
    for (let g = 0; g < RATE; g++)
      OUT[((s << 1) | b) * RATE + g] = parity(reg & CONV_GENERATORS[g]!);
  }
}

/** Number of coded bits for `info` information bits (rate 1/3). */
export function codedLength(info: number): number {
  return info * RATE;
}

/**
 * Convolutional encoder (K=7, rate 1/3). The shift register starts at zero; callers append
 * K-1 zero bits to terminate the trellis.
 */
export function convEncode(info: Uint8Array): Uint8Array {
  const out = new Uint8Array(info.length * RATE);
  let state = 0;
  for (let i = 0; i < info.length; i++) {
    const b = (info[i] as number) & 1;
    const base = ((state << 1) | b) * RATE;
    for (let g = 0; g < RATE; g++) out[i * RATE + g] = OUT[base + g] as number;
    state = ((b << (CONV_CONSTRAINT - 1)) | state) >> 1;
  }
  return out;
}

/**
 * Soft-decision Viterbi decoder. `soft[i] > 0` favours coded bit i = 1, `< 0` favours 0; the
 * magnitude is the confidence (any scale: the metric is the correlation Σ soft·(2c−1)). The trellis
 * is assumed to start and end in state 0 (the encoder's zero tail).
 */
export function viterbiDecode(soft: Float64Array, infoLength: number): Uint8Array {
  let metric = new Float64Array(STATES).fill(Number.NEGATIVE_INFINITY);
  let next = new Float64Array(STATES);
  metric[0] = 0;
  const decisions = new Uint8Array(infoLength * STATES);
  for (let i = 0; i < infoLength; i++) {
    next.fill(Number.NEGATIVE_INFINITY);
    for (let s = 0; s < STATES; s++) {
      const m = metric[s] as number;
      if (m === Number.NEGATIVE_INFINITY) continue;
      for (let b = 0; b < 2; b++) {
        const base = ((s << 1) | b) * RATE;
        let branch = 0;
        for (let g = 0; g < RATE; g++) {
          const sv = soft[i * RATE + g] as number;
          branch += OUT[base + g] ? sv : -sv;
        }
        const ns = ((b << (CONV_CONSTRAINT - 1)) | s) >> 1;
        const cand = m + branch;
        if (cand > (next[ns] as number)) {
          next[ns] = cand;
          // Remember the predecessor's low bit: with the new state known, it identifies s.
          decisions[i * STATES + ns] = s & 1;
        }
      }
    }
    const t = metric;
    metric = next;
    next = t;
  }
  const info = new Uint8Array(infoLength);
  let state = 0;
  for (let i = infoLength - 1; i >= 0; i--) {
    // New state ns = (b << (K-2)) | (s >> 1): the input bit is the top bit of ns.
    info[i] = (state >> (CONV_CONSTRAINT - 2)) & 1;
    const low = decisions[i * STATES + state] as number;
    state = ((state << 1) & (STATES - 1)) | low;
  }
  return info;
}
