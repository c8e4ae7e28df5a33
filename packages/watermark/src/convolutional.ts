import { CONV_CONSTRAINT, CONV_GENERATORS } from './params.js';

function parity(x: number): number {
  let v = x;
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
}

/**
 * A terminated binary convolutional code (constraint length K, rate 1/n) with a soft-decision
 * Viterbi decoder. The decoder keeps its buffers between calls (one instance per thread of use).
 */
export class ConvolutionalCode {
  readonly rate: number;
  private readonly states: number;
  /** PATTERN[state << 1 | bit]: the n output bits of the transition packed into an integer. */
  private patternTable: Uint8Array | undefined;
  private decisions = new Uint8Array(0);
  private metric: Float64Array;
  private next: Float64Array;

  constructor(
    readonly constraint: number,
    readonly generators: readonly number[],
  ) {
    this.rate = generators.length;
    this.states = 1 << (constraint - 1);
    this.metric = new Float64Array(0);
    this.next = new Float64Array(0);
  }

  /** The decoder's transition table, built on first decode (it takes ~10 ms at K = 15). */
  private get pattern(): Uint8Array {
    if (!this.patternTable) {
      const table = new Uint8Array(this.states * 2);
      for (let t = 0; t < this.states * 2; t++) table[t] = this.outputs(t >>> 1, t & 1);
      this.patternTable = table;
      this.metric = new Float64Array(this.states);
      this.next = new Float64Array(this.states);
    }
    return this.patternTable;
  }

  /** The n output bits (bit g = generator g) of the transition from `state` on input `bit`. */
  private outputs(state: number, bit: number): number {
    const reg = (bit << (this.constraint - 1)) | state;
    let p = 0;
    for (let g = 0; g < this.rate; g++) p |= parity(reg & (this.generators[g] as number)) << g;
    return p;
  }

  /** Encodes `info` (callers append K−1 zero bits to terminate the trellis in state 0). */
  encode(info: Uint8Array): Uint8Array {
    const n = this.rate;
    const coded = new Uint8Array(info.length * n);
    let state = 0;
    for (let i = 0; i < info.length; i++) {
      const b = (info[i] as number) & 1;
      const p = this.outputs(state, b);
      for (let g = 0; g < n; g++) coded[i * n + g] = (p >>> g) & 1;
      state = ((b << (this.constraint - 1)) | state) >>> 1;
    }
    return coded;
  }

  /**
   * Soft-decision Viterbi: `soft[i] > 0` favours coded bit i = 1, `< 0` favours 0, magnitude =
   * confidence (any scale; the path metric is the correlation Σ soft·(2c−1)). Starts and ends in
   * state 0.
   */
  decode(soft: Float64Array, infoLength: number): Uint8Array {
    const S = this.states;
    const n = this.rate;
    const K = this.constraint;
    if (this.decisions.length < infoLength * S) this.decisions = new Uint8Array(infoLength * S);
    const decisions = this.decisions;
    const pattern = this.pattern;
    let metric = this.metric;
    let next = this.next;
    metric.fill(Number.NEGATIVE_INFINITY);
    metric[0] = 0;
    // Branch metrics depend only on the n output bits: precompute the 2^n values per step.
    const branch = new Float64Array(1 << n);
    for (let i = 0; i < infoLength; i++) {
      for (let pattern = 0; pattern < 1 << n; pattern++) {
        let m = 0;
        for (let g = 0; g < n; g++) {
          const sv = soft[i * n + g] as number;
          m += (pattern >> g) & 1 ? sv : -sv;
        }
        branch[pattern] = m;
      }
      next.fill(Number.NEGATIVE_INFINITY);
      const row = i * S;
      const shift = K - 2;
      // Butterfly: states s = 2p and 2p+1 both lead to p (bit 0) and p + S/2 (bit 1).
      for (let p = 0; p < S / 2; p++) {
        const s0 = 2 * p;
        const s1 = s0 + 1;
        const m0 = metric[s0] as number;
        const m1 = metric[s1] as number;
        for (let b = 0; b < 2; b++) {
          const ns = (b << shift) | p;
          const c0 = m0 + (branch[pattern[(s0 << 1) | b] as number] as number);
          const c1 = m1 + (branch[pattern[(s1 << 1) | b] as number] as number);
          if (c1 > c0) {
            next[ns] = c1;
            decisions[row + ns] = 1;
          } else {
            next[ns] = c0;
            decisions[row + ns] = 0;
          }
        }
      }
      const t = metric;
      metric = next;
      next = t;
    }
    this.metric = metric;
    this.next = next;
    const info = new Uint8Array(infoLength);
    let state = 0;
    for (let i = infoLength - 1; i >= 0; i--) {
      // ns = (b << (K−2)) | (s >> 1): the input bit is the top bit of the state.
      info[i] = (state >>> (K - 2)) & 1;
      const low = decisions[i * S + state] as number;
      state = ((state << 1) & (S - 1)) | low;
    }
    return info;
  }
}

// Built on first use: its tables take about 10 ms, which a command that never codes (such as
// `vaultmark --version`) should not pay at start-up.
let standardCode: ConvolutionalCode | undefined;
function standard(): ConvolutionalCode {
  standardCode ??= new ConvolutionalCode(CONV_CONSTRAINT, CONV_GENERATORS);
  return standardCode;
}

/** Number of coded bits for `info` information bits. */
export function codedLength(info: number): number {
  return info * CONV_GENERATORS.length;
}

/** Encodes with the format's code ({@link CONV_CONSTRAINT}, {@link CONV_GENERATORS}). */
export function convEncode(info: Uint8Array): Uint8Array {
  return standard().encode(info);
}

/** Soft Viterbi decoding with the format's code. */
export function viterbiDecode(soft: Float64Array, infoLength: number): Uint8Array {
  return standard().decode(soft, infoLength);
}
