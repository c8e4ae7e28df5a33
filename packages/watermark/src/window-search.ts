import type { AnalysisKernel, CoarseGrid, Spectrogram, SyncScorer } from './backend.js';
import type { BandAnalyzer, BandMap } from './band-analysis.js';
import { type BlockDecode, decodeBlock } from './block-decoder.js';
import type { BlockLayout } from './block-layout.js';
import { type FurtherMark, furtherMarks } from './further-marks.js';
import {
  alignFold,
  bestPhases,
  type CandidateSet,
  matchCandidates,
  topCandidate,
} from './informed-search.js';
import { syncCells } from './layout.js';
import {
  BANDS_PER_FRAME,
  BLOCK_FRAMES,
  CANDIDATES_PER_SEGMENT,
  FAR_FREQ_STEP,
  FAR_PITCH_SEMITONES,
  FAR_SPEED_DEVIATION,
  FAR_TEMPO_DEVIATION,
  FAR_TIME_STEP,
  FINE_FREQ_STEP,
  FINE_SPEED_STEP,
  FURTHER_CANDIDATE_MIN_T,
  MAX_MARKS_PER_KEY,
  MAX_SPEED_DEVIATION,
  MIN_DECODE_Z,
  MIXTURE_MAX_ERROR_RATE,
  SEARCH_SEGMENT_SECONDS,
  SPEED_SEARCH_SEGMENTS,
  SPEED_STEP,
  WIDE_SEGMENT_SECONDS,
} from './params.js';

/**
 * How the audio was scaled: 'speed' = resampled (time and frequency together), 'tempo' = time
 * stretched (frequency kept), 'pitch' = pitch shifted (time kept).
 */
export type ScalingKind = 'none' | 'speed' | 'tempo' | 'pitch';

/** A time/frequency scaling hypothesis. */
export interface ScaleHypothesis {
  /** Frame length multiplier in the analyzed audio (1/speed or 1/tempo). */
  timeScale: number;
  /** Band frequency multiplier (speed for resampled audio, 1 for tempo, 2^(n/12) for pitch). */
  freqScale: number;
  kind: ScalingKind;
  /** Coarse time-scale step this hypothesis was drawn with (sets the refinement span). */
  step: number;
}

/** Frame grid: frame j starts at origin + j·step (samples), its block frame is (j + phase) mod B. */
interface Grid {
  origin: number;
  step: number;
  phase: number;
  hyp: ScaleHypothesis;
}

/** A decoded mark in one window, before the false-positive bound is applied. */
export interface WindowMatch extends BlockDecode {
  payload: string;
  /** Sample (in the window) where a block starts (may be negative). */
  blockStart: number;
  hyp: ScaleHypothesis;
  /** Marks of other payloads of the same key at the same alignment (colluders' copies). */
  further: FurtherMark[];
  /** > 0 when this mark was split out of a mixed decode (see {@link FurtherMark.splitPairs}). */
  splitPairs: number;
}

/** A candidate payload matched by {@link WindowSearcher.informed}. */
export interface InformedMatch {
  payload: string;
  /** Data statistic of the candidate's pattern at the alignment (≈ standard deviations). */
  tData: number;
  /** Sync statistic of the alignment over the whole window. */
  zSync: number;
  bitErrors: number;
  observedBits: number;
  /** Sample (in the window) where a block starts. */
  blockStart: number;
  hyp: ScaleHypothesis;
}

/** Everything the search of one window needs; shared by all keys. */
export interface WindowData {
  signal: Float32Array;
  analyzer: BandAnalyzer;
  /** The active backend's detector front end for `analyzer`. */
  kernel: AnalysisKernel;
  spec: Spectrogram;
}

/** One stage of the search: hypotheses, how many segments to try, and the segment length. */
export interface SearchStage {
  hyps: ScaleHypothesis[];
  maxSegments: number;
  segmentSeconds: number;
  /** Frame offsets tried per hypothesis, in spectrogram hops: 1 = every quarter frame, 2 = half. */
  offsetStride: number;
}

/**
 * The search stages, run in order until a mark is found: (1) no change, every segment;
 * (2) speed and tempo changes up to ±MAX_SPEED_DEVIATION in SPEED_STEP steps on a few segments;
 * (3) pitch shifts up to ±FAR_PITCH_SEMITONES with the frames in place, every FAR_FREQ_STEP of
 * frequency, on full-length segments (no drift); (4) tempo changes up to ±FAR_TEMPO_DEVIATION and
 * speed changes up to ±FAR_SPEED_DEVIATION every FAR_TIME_STEP on shorter segments (a shorter
 * segment tolerates a coarser step: the drift over it stays small). Time and frequency scale are
 * searched apart: each line of the (time, frequency) plane that a real edit follows (resampling:
 * both together; time stretching: time only; pitch shifting: frequency only) gets its own
 * hypotheses, so the search grows with the sum of the ranges, not their product. Stages 3 and 4
 * try half-frame offsets only: the quarter-frame misalignment this may leave costs part of the
 * coarse statistic, which the whole-window refinement wins back.
 */
export function searchStages(includeScaled: boolean): SearchStage[] {
  const none: ScaleHypothesis = { timeScale: 1, freqScale: 1, kind: 'none', step: SPEED_STEP };
  const stages: SearchStage[] = [
    {
      hyps: [none],
      maxSegments: Number.POSITIVE_INFINITY,
      segmentSeconds: SEARCH_SEGMENT_SECONDS,
      offsetStride: 1,
    },
  ];
  if (!includeScaled) return stages;
  const near: ScaleHypothesis[] = [];
  const steps = Math.round(MAX_SPEED_DEVIATION / SPEED_STEP);
  for (let i = 1; i <= steps; i++) {
    for (const sign of [1, -1]) {
      const s = 1 + sign * i * SPEED_STEP;
      near.push(speedHyp(s, SPEED_STEP));
      near.push({ timeScale: 1 / s, freqScale: 1, kind: 'tempo', step: SPEED_STEP });
    }
  }
  stages.push({
    hyps: near,
    maxSegments: SPEED_SEARCH_SEGMENTS,
    segmentSeconds: SEARCH_SEGMENT_SECONDS,
    offsetStride: 1,
  });
  // Pitch: frequency scales (1 + FAR_FREQ_STEP)^±k up to the largest shift; frames unscaled.
  const pitch: ScaleHypothesis[] = [];
  const maxLog = (FAR_PITCH_SEMITONES / 12) * Math.LN2;
  for (let k = 1; k * Math.log1p(FAR_FREQ_STEP) <= maxLog + 1e-9; k++) {
    for (const sign of [1, -1]) {
      const f = (1 + FAR_FREQ_STEP) ** (sign * k);
      pitch.push({ timeScale: 1, freqScale: f, kind: 'pitch', step: SPEED_STEP });
    }
  }
  stages.push({
    hyps: pitch,
    maxSegments: SPEED_SEARCH_SEGMENTS,
    segmentSeconds: SEARCH_SEGMENT_SECONDS,
    offsetStride: 2,
  });
  const far: ScaleHypothesis[] = [];
  for (const d of deviations(MAX_SPEED_DEVIATION, FAR_TEMPO_DEVIATION, FAR_TIME_STEP)) {
    for (const sign of [1, -1]) {
      far.push({ timeScale: 1 / (1 + sign * d), freqScale: 1, kind: 'tempo', step: FAR_TIME_STEP });
    }
  }
  for (const d of deviations(MAX_SPEED_DEVIATION, FAR_SPEED_DEVIATION, FAR_TIME_STEP)) {
    for (const sign of [1, -1]) far.push(speedHyp(1 + sign * d, FAR_TIME_STEP));
  }
  stages.push({
    hyps: far,
    maxSegments: SPEED_SEARCH_SEGMENTS,
    segmentSeconds: WIDE_SEGMENT_SECONDS,
    offsetStride: 2,
  });
  return stages;
}

/** The frame j of a grid with block phase `phase` where a block starts: (j + phase) ≡ 0 (mod B). */
function firstBlockFrame(phase: number): number {
  return ((-phase % BLOCK_FRAMES) + BLOCK_FRAMES) % BLOCK_FRAMES;
}

/** A resampling hypothesis: frames scaled by 1/s, band frequencies by s. */
function speedHyp(s: number, step: number): ScaleHypothesis {
  return { timeScale: 1 / s, freqScale: s, kind: 'speed', step };
}

/** Deviations from + step/2 above `from` to `to` in `step` steps (the ring beyond a covered range). */
function deviations(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let d = from + step / 2; d <= to; d += step) out.push(d);
  return out;
}

/** Searcher for one key's layout over one window; counts every hypothesis it scores. */
export class WindowSearcher {
  hypotheses = 0;
  private readonly folded = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
  private readonly maxFrames: number;
  private readonly syncCells: Int32Array;

  constructor(
    private readonly data: WindowData,
    private readonly layout: BlockLayout,
    private readonly correlator: SyncScorer,
  ) {
    const a = data.analyzer;
    this.syncCells = syncCells(layout);
    this.maxFrames =
      Math.ceil(data.signal.length / (a.frameLength / (1 + 1.1 * FAR_SPEED_DEVIATION))) + 4;
  }

  /**
   * Computes detection values for frames j ∈ [from, to) of a grid (from the dense spectrogram, or
   * from exact frames) and folds them into `this.folded` by block frame index (j + phase) mod B.
   */
  private foldGrid(grid: Grid, from: number, to: number, exact: boolean): void {
    const { analyzer, kernel, signal, spec } = this.data;
    const map: BandMap = analyzer.bandMap(grid.hyp.freqScale);
    kernel.fold(signal, spec, grid, from, to, map, exact, this.folded);
  }

  /** Frame index range of a grid that lies inside the window. */
  private range(grid: Grid): [number, number] {
    const { analyzer, signal } = this.data;
    const last = signal.length - analyzer.windowLength;
    const from = Math.ceil((0 - grid.origin) / grid.step);
    const to = Math.floor((last - grid.origin) / grid.step) + 1;
    return [from, Math.min(to, from + this.maxFrames)];
  }

  /** z of the sync pattern of a grid with a known phase over the whole window. */
  private zAt(grid: Grid, exact: boolean): number {
    const [from, to] = this.range(grid);
    if (to <= from) return 0;
    this.foldGrid(grid, from, to, exact);
    this.hypotheses++;
    let score = 0;
    let energy = 0;
    const f = this.folded;
    const sync = this.layout.syncSign;
    // The sync cells only, in cell order: the same sums as a pass over every cell.
    const cells = this.syncCells;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i] as number;
      const v = f[c] as number;
      score += (sync[c] as number) * v;
      energy += v * v;
    }
    return energy > 0 ? score / Math.sqrt(energy) : 0;
  }

  /**
   * Coarse search: in every segment, every hypothesis and every quarter-frame offset, the best block
   * phase by FFT correlation. Returns the best grids (whole-window coordinates), best first.
   */
  coarse(
    hyps: ScaleHypothesis[],
    maxSegments = Number.POSITIVE_INFINITY,
    segmentSeconds = SEARCH_SEGMENT_SECONDS,
    offsetStride = 1,
  ): Array<Grid & { z: number; anchor: number }> {
    const { analyzer, signal } = this.data;
    const rate = analyzer.sampleRate;
    const segLen = Math.min(signal.length, Math.round(segmentSeconds * rate));
    const starts: number[] = [];
    for (let s = 0; s + segLen <= signal.length; s += segLen) starts.push(s);
    const lastStart = signal.length - segLen;
    if (
      starts[starts.length - 1] !== lastStart &&
      lastStart - (starts[starts.length - 1] ?? 0) > segLen / 4
    )
      starts.push(lastStart);
    if (starts.length > maxSegments) {
      // Evenly spread subset (a scaled copy carries the mark everywhere, so a few segments do).
      const keep = Array.from({ length: maxSegments }, (_, i) =>
        Math.floor(((i + 0.5) * starts.length) / maxSegments),
      );
      const picked = keep.map((i) => starts[i] as number);
      starts.length = 0;
      starts.push(...picked);
    }
    // Every (segment, hypothesis, offset) grid is scored in one batch (in parallel on the native
    // path), then the best CANDIDATES_PER_SEGMENT of each segment are kept, earliest first on ties.
    const offsets = Math.max(1, Math.round(analyzer.frameLength / analyzer.hop));
    const grids: Array<CoarseGrid & { segment: number; hyp: ScaleHypothesis }> = [];
    starts.forEach((segStart, segment) => {
      for (const hyp of hyps) {
        const step = analyzer.frameLength * hyp.timeScale;
        const frames = Math.floor((segLen - analyzer.windowLength) / step);
        if (frames < 8) continue;
        const map = analyzer.bandMap(hyp.freqScale);
        for (let o = 0; o < offsets; o += offsetStride) {
          grids.push({ origin: segStart + o * analyzer.hop, step, frames, map, segment, hyp });
        }
      }
    });
    const scores = this.data.kernel.coarse(this.data.spec, grids, this.correlator);
    this.hypotheses += BLOCK_FRAMES * grids.length;
    const found: Array<Grid & { z: number; anchor: number }> = [];
    let best: Array<Grid & { z: number; anchor: number }> = [];
    grids.forEach((g, i) => {
      const { phase, z } = scores[i] as { phase: number; z: number };
      best.push({
        origin: g.origin,
        step: g.step,
        phase,
        hyp: g.hyp,
        z,
        anchor: Math.floor(g.frames / 2),
      });
      best.sort((x, y) => y.z - x.z);
      if (best.length > CANDIDATES_PER_SEGMENT) best.pop();
      if (i + 1 === grids.length || (grids[i + 1] as { segment: number }).segment !== g.segment) {
        found.push(...best);
        best = [];
      }
    });
    return found.sort((x, y) => y.z - x.z);
  }

  /**
   * Best exact sync z of the grids make(k), k ∈ [−span, span]: every `stride`-th k first (the
   * peak is several fine steps wide over a whole window), then the steps around the best one.
   */
  private scan(span: number, make: (k: number) => Grid): { grid: Grid; z: number } {
    const stride = Math.max(1, Math.floor(span / 4));
    let best = { grid: make(0), z: Number.NEGATIVE_INFINITY, k: 0 };
    const visit = (k: number): void => {
      const grid = make(k);
      const z = this.zAt(grid, false);
      if (z > best.z) best = { grid, z, k };
    };
    const top = Math.ceil(span / stride) * stride;
    for (let k = -top; k <= top; k += stride) visit(k);
    const centre = best.k;
    for (let d = 1; d < stride; d++) {
      visit(centre - d);
      visit(centre + d);
    }
    return best;
  }

  /**
   * Refines a coarse grid over the whole window: time scale in FINE_SPEED_STEP steps around the
   * coarse value, pivoting on the segment's centre frame (a pitch hypothesis then also refines its
   * frequency scale in FINE_FREQ_STEP steps), then decodes with exact frames at the best grid and
   * its quarter-hop neighbours until the CRC matches.
   */
  refineAndDecode(cand: Grid & { anchor: number }, exactTries: number): WindowMatch | undefined {
    const { analyzer } = this.data;
    const pivot = cand.origin + cand.anchor * cand.step;
    const nominal = analyzer.frameLength;
    const kind = cand.hyp.kind;
    const at = (timeScale: number, freqScale: number, k: number): Grid => {
      const hyp: ScaleHypothesis =
        kind === 'tempo' || kind === 'pitch'
          ? { timeScale, freqScale, kind, step: cand.hyp.step }
          : {
              timeScale,
              freqScale: kind === 'none' && k === 0 ? 1 : 1 / timeScale,
              kind: kind === 'none' && k === 0 ? 'none' : 'speed',
              step: cand.hyp.step,
            };
      const step = nominal * timeScale;
      return { origin: pivot - cand.anchor * step, step, phase: cand.phase, hyp };
    };
    let best = this.scan(Math.ceil((cand.hyp.step * 0.6) / FINE_SPEED_STEP), (k) =>
      at(cand.hyp.timeScale * (1 + k * FINE_SPEED_STEP), cand.hyp.freqScale, k),
    );
    if (kind === 'pitch') {
      const t = best.grid.hyp.timeScale;
      const f = best.grid.hyp.freqScale;
      const pitched = this.scan(Math.ceil((FAR_FREQ_STEP * 0.6) / FINE_FREQ_STEP), (k) =>
        at(t, f * (1 + k * FINE_FREQ_STEP), k),
      );
      if (pitched.z > best.z) best = pitched;
    }
    const bestGrid = best.grid;
    const bestZ = best.z;
    // Decode from the dense spectrogram first (no extra FFTs); then with exact frames.
    // A refined sync z this low could not reach a useful false-positive probability anyway
    // (see MIN_DECODE_Z): skip the costly Viterbi decodes.
    if (bestZ < MIN_DECODE_Z) return undefined;
    const attempts: Array<[number, boolean]> = [
      [0, false],
      [0, true],
      [-0.25, true],
      [0.25, true],
      [-0.5, true],
      [0.5, true],
      [-0.125, true],
      [0.125, true],
    ];
    for (const [i, [sh, exact]] of attempts.slice(0, exactTries + 1).entries()) {
      const grid: Grid = { ...bestGrid, origin: bestGrid.origin + sh * analyzer.hop };
      const [from, to] = this.range(grid);
      if (to <= from) continue;
      this.foldGrid(grid, from, to, exact);
      this.hypotheses++;
      const at = {
        blockStart: grid.origin + firstBlockFrame(grid.phase) * grid.step,
        hyp: grid.hyp,
      };
      const dec = decodeBlock(this.folded, this.layout);
      if (dec.payload !== undefined) {
        const further = furtherMarks(this.folded, this.layout, dec.payload, MAX_MARKS_PER_KEY);
        this.hypotheses += further.attempts;
        return { ...dec, payload: dec.payload, ...at, further: further.marks, splitPairs: 0 };
      }
      if (i > 0 || dec.bitErrors > MIXTURE_MAX_ERROR_RATE * dec.observedBits) continue;
      // A clear decode that fails the CRC: maybe several recipients' copies at equal shares.
      const mixed = furtherMarks(this.folded, this.layout, undefined, MAX_MARKS_PER_KEY);
      this.hypotheses += mixed.attempts;
      const [head, ...rest] = mixed.marks;
      if (head && rest.length > 0) return { ...head, ...at, further: rest };
    }
    return undefined;
  }

  /**
   * Informed search for a copy too damaged to decode: every block phase of the unscaled grid at
   * each quarter-frame offset, scored by its sync statistic over the whole window; at the
   * `keep` best alignments, the best-scoring candidate payload; at the alignment where that
   * scores highest, every candidate present by successive cancellation (see
   * {@link matchCandidates}). Returns those with their data statistics, and the number of
   * (alignment, candidate) pairs scored.
   */
  informed(set: CandidateSet, keep: number): { marks: InformedMatch[]; trials: number } {
    const { analyzer } = this.data;
    const offsets = Math.max(1, Math.round(analyzer.frameLength / analyzer.hop));
    const none: ScaleHypothesis = { timeScale: 1, freqScale: 1, kind: 'none', step: 0 };
    const folds: Float32Array[] = [];
    const ranked: Array<{ offset: number; phase: number; z: number }> = [];
    for (let o = 0; o < offsets; o++) {
      const grid: Grid = {
        origin: o * analyzer.hop,
        step: analyzer.frameLength,
        phase: 0,
        hyp: none,
      };
      const [from, to] = this.range(grid);
      if (to <= from) continue;
      this.foldGrid(grid, from, to, false);
      const folded0 = new Float32Array(this.folded);
      folds[o] = folded0;
      for (const p of bestPhases(folded0, this.layout, keep)) ranked.push({ offset: o, ...p });
    }
    ranked.sort((a, b) => b.z - a.z);
    let trials = 0;
    let best: { at: (typeof ranked)[number]; t: number } | undefined;
    // Two buffers: the alignment being scored, and the best one so far (swapped when beaten).
    let scratch = new Float32Array(this.folded.length);
    let kept = new Float32Array(this.folded.length);
    for (const r of ranked.slice(0, keep)) {
      const aligned = alignFold(folds[r.offset] as Float32Array, r.phase, scratch);
      const top = topCandidate(aligned, this.layout, set);
      trials += set.payloads.length;
      if (top.index >= 0 && (!best || top.t > best.t)) {
        best = { at: r, t: top.t };
        [scratch, kept] = [kept, scratch];
      }
    }
    if (!best) return { marks: [], trials };
    const { hits, scored } = matchCandidates(
      kept,
      this.layout,
      set,
      FURTHER_CANDIDATE_MIN_T,
      MAX_MARKS_PER_KEY,
    );
    trials += scored;
    const blockStart =
      best.at.offset * analyzer.hop + firstBlockFrame(best.at.phase) * analyzer.frameLength;
    const marks = hits.map((h) => ({
      payload: set.payloads[h.index] as string,
      tData: h.t,
      zSync: best.at.z,
      bitErrors: h.bitErrors,
      observedBits: h.observedBits,
      blockStart,
      hyp: none,
    }));
    return { marks, trials };
  }
}
