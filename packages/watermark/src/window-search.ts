import type { AnalysisKernel, CoarseGrid, Spectrogram, SyncScorer } from './backend.js';
import type { BandAnalyzer, BandMap } from './band-analysis.js';
import { type BlockDecode, decodeBlock } from './block-decoder.js';
import type { BlockLayout } from './layout.js';
import {
  BANDS_PER_FRAME,
  BLOCK_FRAMES,
  CANDIDATES_PER_SEGMENT,
  FINE_SPEED_STEP,
  MAX_SPEED_DEVIATION,
  MIN_DECODE_Z,
  SEARCH_SEGMENT_SECONDS,
  SPEED_SEARCH_SEGMENTS,
  SPEED_STEP,
  WIDE_SEGMENT_SECONDS,
  WIDE_SPEED_DEVIATION,
  WIDE_SPEED_STEP,
} from './params.js';

/** A time/frequency scaling hypothesis. */
export interface ScaleHypothesis {
  /** Frame length multiplier in the analyzed audio (1/speed or 1/tempo). */
  timeScale: number;
  /** Band frequency multiplier (speed for resampled audio, 1 for pitch-preserving tempo). */
  freqScale: number;
  kind: 'none' | 'speed' | 'tempo';
  /** Coarse step this hypothesis was drawn with (sets the refinement span). */
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
}

/**
 * The search stages, run in order until a mark is found: (1) no change, every segment;
 * (2) speed and tempo changes up to ±MAX_SPEED_DEVIATION in SPEED_STEP steps on a few segments;
 * (3) larger speed changes up to ±WIDE_SPEED_DEVIATION in WIDE_SPEED_STEP steps on shorter
 * segments (a shorter segment tolerates a coarser step: the drift over it stays small).
 */
export function searchStages(includeScaled: boolean): SearchStage[] {
  const none: ScaleHypothesis = { timeScale: 1, freqScale: 1, kind: 'none', step: SPEED_STEP };
  const stages: SearchStage[] = [
    { hyps: [none], maxSegments: Number.POSITIVE_INFINITY, segmentSeconds: SEARCH_SEGMENT_SECONDS },
  ];
  if (!includeScaled) return stages;
  const near: ScaleHypothesis[] = [];
  const steps = Math.round(MAX_SPEED_DEVIATION / SPEED_STEP);
  for (let i = 1; i <= steps; i++) {
    for (const sign of [1, -1]) {
      const s = 1 + sign * i * SPEED_STEP;
      near.push({ timeScale: 1 / s, freqScale: s, kind: 'speed', step: SPEED_STEP });
      near.push({ timeScale: 1 / s, freqScale: 1, kind: 'tempo', step: SPEED_STEP });
    }
  }
  stages.push({
    hyps: near,
    maxSegments: SPEED_SEARCH_SEGMENTS,
    segmentSeconds: SEARCH_SEGMENT_SECONDS,
  });
  const wide: ScaleHypothesis[] = [];
  for (
    let d = MAX_SPEED_DEVIATION + WIDE_SPEED_STEP / 2;
    d <= WIDE_SPEED_DEVIATION;
    d += WIDE_SPEED_STEP
  ) {
    for (const sign of [1, -1]) {
      const s = 1 + sign * d;
      wide.push({ timeScale: 1 / s, freqScale: s, kind: 'speed', step: WIDE_SPEED_STEP });
    }
  }
  stages.push({
    hyps: wide,
    maxSegments: SPEED_SEARCH_SEGMENTS,
    segmentSeconds: WIDE_SEGMENT_SECONDS,
  });
  return stages;
}

/** Searcher for one key's layout over one window; counts every hypothesis it scores. */
export class WindowSearcher {
  hypotheses = 0;
  private readonly folded = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
  private readonly maxFrames: number;

  constructor(
    private readonly data: WindowData,
    private readonly layout: BlockLayout,
    private readonly correlator: SyncScorer,
  ) {
    const a = data.analyzer;
    this.maxFrames =
      Math.ceil(data.signal.length / (a.frameLength * (1 - 2 * WIDE_SPEED_DEVIATION))) + 4;
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
    for (let c = 0; c < f.length; c++) {
      const s = sync[c] as number;
      if (s === 0) continue;
      const v = f[c] as number;
      score += s * v;
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
        for (let o = 0; o < offsets; o++) {
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
   * Refines a coarse grid over the whole window: time scale in FINE_SPEED_STEP steps around the
   * coarse value, pivoting on the segment's centre frame, then decodes with exact frames at the
   * best grid and its quarter-hop neighbours until the CRC matches.
   */
  refineAndDecode(cand: Grid & { anchor: number }, exactTries: number): WindowMatch | undefined {
    const { analyzer } = this.data;
    const pivot = cand.origin + cand.anchor * cand.step;
    const nominal = analyzer.frameLength;
    const span = Math.ceil((cand.hyp.step * 0.6) / FINE_SPEED_STEP);
    let bestGrid: Grid = cand;
    let bestZ = Number.NEGATIVE_INFINITY;
    for (let k = -span; k <= span; k++) {
      const timeScale = cand.hyp.timeScale * (1 + k * FINE_SPEED_STEP);
      const hyp: ScaleHypothesis =
        cand.hyp.kind === 'tempo'
          ? { timeScale, freqScale: 1, kind: 'tempo', step: cand.hyp.step }
          : {
              timeScale,
              freqScale: cand.hyp.kind === 'none' && k === 0 ? 1 : 1 / timeScale,
              kind: cand.hyp.kind === 'none' && k === 0 ? 'none' : 'speed',
              step: cand.hyp.step,
            };
      const step = nominal * timeScale;
      const grid: Grid = { origin: pivot - cand.anchor * step, step, phase: cand.phase, hyp };
      const z = this.zAt(grid, false);
      if (z > bestZ) {
        bestZ = z;
        bestGrid = grid;
      }
    }
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
    for (const [sh, exact] of attempts.slice(0, exactTries + 1)) {
      const grid: Grid = { ...bestGrid, origin: bestGrid.origin + sh * analyzer.hop };
      const [from, to] = this.range(grid);
      if (to <= from) continue;
      this.foldGrid(grid, from, to, exact);
      this.hypotheses++;
      const dec = decodeBlock(this.folded, this.layout);
      if (dec.payload !== undefined) {
        // Block frame 0 is frame j with (j + phase) ≡ 0 (mod B).
        const j0 = ((-grid.phase % BLOCK_FRAMES) + BLOCK_FRAMES) % BLOCK_FRAMES;
        return {
          ...dec,
          payload: dec.payload,
          blockStart: grid.origin + j0 * grid.step,
          hyp: grid.hyp,
        };
      }
    }
    return undefined;
  }
}
