import {
  type BandAnalyzer,
  type BandMap,
  bandLogPower,
  toDetectionValues,
} from './band-analysis.js';
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
import type { SyncCorrelator } from './sync-correlator.js';

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
  rows: number;
  power: Float32Array;
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
  private readonly values: Float32Array;
  private readonly scratch: Float32Array;
  private readonly valid: Uint8Array;
  private readonly folded = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
  private readonly rowPower: Float32Array;
  private readonly maxFrames: number;

  constructor(
    private readonly data: WindowData,
    private readonly layout: BlockLayout,
    private readonly correlator: SyncCorrelator,
  ) {
    const a = data.analyzer;
    this.maxFrames =
      Math.ceil(data.signal.length / (a.frameLength * (1 - 2 * WIDE_SPEED_DEVIATION))) + 4;
    this.values = new Float32Array(this.maxFrames * BANDS_PER_FRAME);
    this.scratch = new Float32Array(this.maxFrames * BANDS_PER_FRAME);
    this.valid = new Uint8Array(this.maxFrames);
    this.rowPower = new Float32Array(a.binCount);
  }

  /**
   * Computes detection values for frames j ∈ [from, to) of a grid (from the dense spectrogram, or
   * from exact frames) and folds them into `this.folded` by block frame index (j + phase) mod B.
   */
  private foldGrid(grid: Grid, from: number, to: number, exact: boolean): void {
    const { analyzer, power, rows, signal } = this.data;
    const map: BandMap = analyzer.bandMap(grid.hyp.freqScale);
    const n = to - from;
    const nb = BANDS_PER_FRAME;
    const vals = this.values;
    for (let i = 0; i < n; i++) {
      const pos = grid.origin + (from + i) * grid.step;
      if (exact) {
        const start = Math.round(pos);
        const ok = start >= 0 && start + analyzer.windowLength <= signal.length;
        this.valid[i] = ok ? 1 : 0;
        if (ok) {
          analyzer.framePower(signal, start, this.rowPower, 0);
          bandLogPower(this.rowPower, 0, map, vals, i * nb);
        }
      } else {
        const row = Math.round(pos / analyzer.hop);
        const ok = row >= 0 && row < rows;
        this.valid[i] = ok ? 1 : 0;
        if (ok) bandLogPower(power, row * analyzer.binCount, map, vals, i * nb);
      }
    }
    toDetectionValues(vals, n, this.valid, this.scratch);
    const f = this.folded;
    f.fill(0);
    for (let i = 0; i < n; i++) {
      if (!this.valid[i]) continue;
      const blockFrame = (((from + i + grid.phase) % BLOCK_FRAMES) + BLOCK_FRAMES) % BLOCK_FRAMES;
      const o = blockFrame * nb;
      for (let b = 0; b < nb; b++) f[o + b] = (f[o + b] as number) + (vals[i * nb + b] as number);
    }
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
    const found: Array<Grid & { z: number; anchor: number }> = [];
    const offsets = Math.max(1, Math.round(analyzer.frameLength / analyzer.hop));
    for (const segStart of starts) {
      const best: Array<Grid & { z: number; anchor: number }> = [];
      for (const hyp of hyps) {
        const step = analyzer.frameLength * hyp.timeScale;
        const frames = Math.floor((segLen - analyzer.windowLength) / step);
        if (frames < 8) continue;
        for (let o = 0; o < offsets; o++) {
          const origin = segStart + o * analyzer.hop;
          const grid: Grid = { origin, step, phase: 0, hyp };
          this.foldGrid(grid, 0, Math.min(frames, BLOCK_FRAMES), false);
          const { phase, z } = this.correlator.best(this.folded);
          this.hypotheses += BLOCK_FRAMES;
          best.push({ origin, step, phase, hyp, z, anchor: Math.floor(frames / 2) });
          best.sort((x, y) => y.z - x.z);
          if (best.length > CANDIDATES_PER_SEGMENT) best.pop();
        }
      }
      found.push(...best);
    }
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
