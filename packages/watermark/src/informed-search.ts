import type { BlockLayout } from './block-layout.js';
import { convEncode } from './convolutional.js';
import { syncCells } from './layout.js';
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

/** Codes `payloads` (hex, each of the layout's payload size) under `layout`. */
export function candidateSet(layout: BlockLayout, payloads: readonly string[]): CandidateSet {
  const unique = [...new Set(payloads.map((p) => p.toLowerCase()))];
  const n = layout.codedLength;
  const signs = new Int8Array(unique.length * n);
  unique.forEach((payload, i) => {
    const coded = convEncode(buildInfoBlock(payloadBytes(payload), layout.whitening));
    for (let k = 0; k < n; k++) signs[i * n + k] = coded[k] ? 1 : -1;
  });
  return { payloads: unique, codedLength: n, signs };
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

/**
 * The candidate whose coded pattern correlates best with block-aligned values F, and its data
 * statistic t = Σ sign·w·F / √(Σ (w·F)²) over the data cells (w: the band's variance) (the sync cells chose the alignment and
 * are left out, so t of a payload that is not there is a Rademacher sum whatever the alignment),
 * with the coded bits whose summed value disagrees with its codeword.
 */
export function bestCandidate(
  aligned: Float32Array,
  layout: BlockLayout,
  set: CandidateSet,
): { index: number; t: number; bitErrors: number; observedBits: number } | undefined {
  const n = set.codedLength;
  const nb = BANDS_PER_FRAME;
  // Each band weighted by its own variance over the block (sync and data cells alike): a band
  // the encoder emptied carries neither music nor mark. The weights depend on the audio only,
  // never on the keyed signs, so the weighted sum stays a Rademacher sum.
  const power = new Float64Array(nb);
  const count = new Float64Array(nb);
  for (let c = 0; c < aligned.length; c++) {
    const v = aligned[c] as number;
    if (v === 0) continue;
    power[c % nb] = (power[c % nb] as number) + v * v;
    count[c % nb] = (count[c % nb] as number) + 1;
  }
  const weight = Float64Array.from(power, (p, b) => (count[b] ? p / (count[b] as number) : 0));
  const soft = new Float64Array(n);
  let energy = 0;
  for (let c = 0; c < aligned.length; c++) {
    if (layout.syncSign[c] !== 0) continue;
    const v = (aligned[c] as number) * (weight[c % nb] as number);
    if (v === 0) continue;
    energy += v * v;
    const bit = layout.dataBit[c] as number;
    soft[bit] = (soft[bit] as number) + (layout.dataSign[c] as number) * v;
  }
  if (!(energy > 0) || set.payloads.length === 0) return undefined;
  let index = 0;
  let top = Number.NEGATIVE_INFINITY;
  const signs = set.signs;
  for (let i = 0; i < set.payloads.length; i++) {
    let score = 0;
    const base = i * n;
    for (let k = 0; k < n; k++) score += (signs[base + k] as number) * (soft[k] as number);
    if (score > top) {
      top = score;
      index = i;
    }
  }
  let bitErrors = 0;
  let observedBits = 0;
  for (let k = 0; k < n; k++) {
    const v = soft[k] as number;
    if (v === 0) continue;
    observedBits++;
    if (v > 0 !== (signs[index * n + k] as number) > 0) bitErrors++;
  }
  return { index, t: top / Math.sqrt(energy), bitErrors, observedBits };
}
