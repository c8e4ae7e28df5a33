import type { BlockLayout } from './block-layout.js';
import { convEncode } from './convolutional.js';
import { WatermarkError } from './errors.js';
import { cancel } from './further-marks.js';
import { toHex } from './key.js';
import { cellSigns, syncCells } from './layout.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';
import { buildInfoBlock, payloadBytes } from './payload.js';

/**
 * The payloads a vault has issued under one key, coded once: candidate i's coded bit k is
 * `signs[i · codedLength + k]` (±1). Matching a damaged copy against them ("informed" detection)
 * needs far less evidence than decoding it blind, because the union bound runs over these few
 * payloads instead of every CRC-valid codeword (see docs/watermark.md, "Copies too damaged to
 * decode").
 */
export interface CandidateSet {
  payloads: string[];
  codedLength: number;
  signs: Int8Array;
}

/**
 * Codes `payloads` (hex, each of the layout's payload size, written as for `embed`) under
 * `layout`; each is kept once, as lowercase hex (as a decoded payload is reported). Throws
 * `invalid_payload` for one that is not hex of that size.
 */
export function candidateSet(layout: BlockLayout, payloads: readonly string[]): CandidateSet {
  const byHex = new Map<string, Uint8Array>();
  for (const p of payloads) {
    const bytes = payloadBytes(p);
    if (bytes.length * 8 !== layout.payloadBits) {
      throw new WatermarkError(
        'invalid_payload',
        `every candidate payload must be ${layout.payloadBits / 4} hex digits (${layout.payloadBits} bits)`,
      );
    }
    byHex.set(toHex(bytes), bytes);
  }
  const n = layout.codedLength;
  const signs = new Int8Array(byHex.size * n);
  [...byHex.values()].forEach((bytes, i) => {
    const coded = convEncode(buildInfoBlock(bytes, layout.whitening));
    for (let k = 0; k < n; k++) signs[i * n + k] = coded[k] ? 1 : -1;
  });
  return { payloads: [...byHex.keys()], codedLength: n, signs };
}

/** A block phase of a phase-0 fold and its sync statistic. */
export interface PhaseScore {
  phase: number;
  z: number;
}

/**
 * Sync statistic z(p) of every block phase p of values folded with phase 0 (row j = frames
 * j mod B): block frame q of the mark sits in row (q − p) mod B. Returns the `keep` best phases,
 * best first. The sums run over the sync cells only (10 of 52 per frame), so all B phases cost
 * about 2·10⁷ multiply-adds.
 */
export function bestPhases(folded0: Float32Array, layout: BlockLayout, keep: number): PhaseScore[] {
  const cells = syncCells(layout);
  const nb = BANDS_PER_FRAME;
  const sign = new Int8Array(cells.length);
  const row = new Int32Array(cells.length);
  const band = new Int32Array(cells.length);
  cells.forEach((c, i) => {
    sign[i] = layout.syncSign[c] as number;
    row[i] = Math.floor(c / nb);
    band[i] = c % nb;
  });
  const best: PhaseScore[] = [];
  for (let p = 0; p < BLOCK_FRAMES; p++) {
    let score = 0;
    let energy = 0;
    for (let i = 0; i < cells.length; i++) {
      const j = ((row[i] as number) - p + BLOCK_FRAMES) & (BLOCK_FRAMES - 1);
      const v = folded0[j * nb + (band[i] as number)] as number;
      score += (sign[i] as number) * v;
      energy += v * v;
    }
    const z = energy > 0 ? score / Math.sqrt(energy) : 0;
    if (best.length < keep || z > (best[best.length - 1] as PhaseScore).z) {
      best.push({ phase: p, z });
      best.sort((a, b) => b.z - a.z);
      if (best.length > keep) best.pop();
    }
  }
  return best;
}

/** The values of a phase-0 fold re-indexed to block frames for block phase `phase`. */
export function alignFold(folded0: Float32Array, phase: number, out: Float32Array): Float32Array {
  const nb = BANDS_PER_FRAME;
  for (let q = 0; q < BLOCK_FRAMES; q++) {
    const j = (q - phase + BLOCK_FRAMES) & (BLOCK_FRAMES - 1);
    out.set(folded0.subarray(j * nb, (j + 1) * nb), q * nb);
  }
  return out;
}

/** Weighted sums of block-aligned values per coded bit, and their energy (see below). */
interface DataSums {
  soft: Float64Array;
  energy: number;
}

/**
 * Per coded bit, Σ dataSign·w·F over its data cells, and Σ (w·F)² over all data cells, where w is
 * the variance of the cell's band over the block (sync and data cells alike): a band the encoder
 * emptied carries neither music nor mark. The weights depend on the audio only, never on the
 * keyed signs, so a candidate's weighted sum stays a Rademacher sum.
 */
function dataSums(aligned: Float32Array, layout: BlockLayout): DataSums {
  const nb = BANDS_PER_FRAME;
  const power = new Float64Array(nb);
  const count = new Float64Array(nb);
  for (let c = 0; c < aligned.length; c++) {
    const v = aligned[c] as number;
    if (v === 0) continue;
    power[c % nb] = (power[c % nb] as number) + v * v;
    count[c % nb] = (count[c % nb] as number) + 1;
  }
  const weight = Float64Array.from(power, (p, b) => (count[b] ? p / (count[b] as number) : 0));
  const soft = new Float64Array(layout.codedLength);
  let energy = 0;
  for (let c = 0; c < aligned.length; c++) {
    if (layout.syncSign[c] !== 0) continue;
    const v = (aligned[c] as number) * (weight[c % nb] as number);
    if (v === 0) continue;
    energy += v * v;
    const bit = layout.dataBit[c] as number;
    soft[bit] = (soft[bit] as number) + (layout.dataSign[c] as number) * v;
  }
  return { soft, energy };
}

/** Data statistic t = Σ sign·w·F / √(Σ (w·F)²) of candidate `i`. */
function statistic(sums: DataSums, set: CandidateSet, i: number): number {
  const n = set.codedLength;
  let score = 0;
  for (let k = 0; k < n; k++) score += (set.signs[i * n + k] as number) * (sums.soft[k] as number);
  return sums.energy > 0 ? score / Math.sqrt(sums.energy) : 0;
}

/** Coded bits whose summed value disagrees with candidate `i`'s codeword, of those observed. */
function bitErrors(sums: DataSums, set: CandidateSet, i: number): [number, number] {
  let errors = 0;
  let observed = 0;
  for (let k = 0; k < set.codedLength; k++) {
    const v = sums.soft[k] as number;
    if (v === 0) continue;
    observed++;
    if (v > 0 !== (set.signs[i * set.codedLength + k] as number) > 0) errors++;
  }
  return [errors, observed];
}

/** Subtracts candidate `i`'s pattern from `values`, per band, by least squares (data cells). */
function cancelCandidate(
  values: Float32Array,
  layout: BlockLayout,
  set: CandidateSet,
  i: number,
): void {
  const coded = Uint8Array.from(
    set.signs.subarray(i * set.codedLength, (i + 1) * set.codedLength),
    (x) => (x > 0 ? 1 : 0),
  );
  cancel(values, layout, cellSigns(layout, coded));
}

/** A candidate named by {@link matchCandidates}. */
export interface CandidateHit {
  index: number;
  /** Its data statistic with every other named candidate cancelled. */
  t: number;
  bitErrors: number;
  observedBits: number;
}

/**
 * The issued payloads whose patterns are in block-aligned values F, strongest first, by
 * successive cancellation: the best-scoring candidate is taken and its pattern cancelled, then
 * the next best on what is left while it reaches `minT`, up to `max` in all. Each is then
 * scored with every other one taken cancelled, so a payload whose codeword merely resembles a
 * present one's (an innocent's, scored where a colluder's mark sits) falls back to chance.
 * `scored` counts the (candidate, pass) pairs, each one more term of the union bound.
 */
export function matchCandidates(
  aligned: Float32Array,
  layout: BlockLayout,
  set: CandidateSet,
  minT: number,
  max: number,
): { hits: CandidateHit[]; scored: number } {
  const taken: number[] = [];
  const residual = new Float32Array(aligned);
  let scored = 0;
  while (taken.length < max) {
    const top = bestCandidate(dataSums(residual, layout), set, taken);
    scored += set.payloads.length - taken.length;
    if (top.index < 0 || (taken.length > 0 && !(top.t >= minT))) break;
    taken.push(top.index);
    cancelCandidate(residual, layout, set, top.index);
  }
  const hits = taken.map((index) => {
    const others = new Float32Array(aligned);
    for (const j of taken) if (j !== index) cancelCandidate(others, layout, set, j);
    const sums = dataSums(others, layout);
    const [errors, observed] = bitErrors(sums, set, index);
    return { index, t: statistic(sums, set, index), bitErrors: errors, observedBits: observed };
  });
  return { hits: hits.sort((a, b) => b.t - a.t), scored };
}

/** The best-scoring candidate in block-aligned values F and its data statistic. */
export function topCandidate(
  aligned: Float32Array,
  layout: BlockLayout,
  set: CandidateSet,
): { index: number; t: number } {
  return bestCandidate(dataSums(aligned, layout), set, []);
}

/** The candidate, other than those in `skip`, with the largest statistic on `sums`. */
function bestCandidate(
  sums: DataSums,
  set: CandidateSet,
  skip: readonly number[],
): { index: number; t: number } {
  let index = -1;
  let t = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < set.payloads.length; i++) {
    if (skip.includes(i)) continue;
    const x = statistic(sums, set, i);
    if (x > t) {
      t = x;
      index = i;
    }
  }
  return { index, t };
}
