import type { BandAnalyzer, BandMap } from './band-analysis.js';
import type { BlockLayout } from './block-layout.js';

/**
 * The DSP hot loops behind embed and detect, implemented twice: in TypeScript (`ts-backend.ts`,
 * the reference, runs everywhere) and in Rust (`native-backend.ts`, the N-API fast path). Both
 * run the same test vectors; `implementation.ts` picks one per process.
 */
export interface DspBackend {
  readonly name: 'ts' | 'native';
  /** Frame embedder for one key's cell signs (BLOCK_FRAMES × bands) and band gain δ. */
  frameMarker(sampleRate: number, signs: Int8Array, delta: number): FrameMarker;
  /** Detector front end for one analyzer geometry. */
  analysis(analyzer: BandAnalyzer): AnalysisKernel;
  /** Block-phase correlation with one key's sync pattern. */
  syncScorer(layout: BlockLayout): SyncScorer;
  /** The keyed block layout of a key secret for a payload size (identical on both paths). */
  deriveLayout(secret: Uint8Array, payloadBits: number): BlockLayout;
  /** Soft Viterbi decoding of the format's convolutional code. */
  viterbi(soft: Float64Array, infoLength: number): Uint8Array;
}

/** Marks frames in place. */
export interface FrameMarker {
  /**
   * Marks every complete frame of each of `channels` (arrays of equal length, distinct buffers,
   * whose first sample is the first sample of frame `firstFrame`); returns how many samples
   * those frames cover per channel (the rest is left unchanged). The native path marks the
   * frames of all channels in one parallel pass.
   */
  processChannels(firstFrame: number, channels: Float32Array[]): number;
}

/** Best block phase and its approximate z. */
export interface PhaseScore {
  phase: number;
  z: number;
}

/** Scores every block phase of folded values (BLOCK_FRAMES × bands). */
export interface SyncScorer {
  best(folded: Float32Array): PhaseScore;
}

/** A frame grid: frame j starts at origin + j·step (samples); block frame (j + phase) mod B. */
export interface FrameGrid {
  origin: number;
  step: number;
  phase: number;
}

/** A coarse-search grid (phase 0) over frames 0..frames with band map `map`. */
export interface CoarseGrid {
  origin: number;
  step: number;
  frames: number;
  map: BandMap;
}

/** Dense spectrogram of one detector window. */
export interface Spectrogram {
  rows: number;
  power: Float32Array;
}

/**
 * Detector front end: spectrogram, folding of detection values, batched coarse scoring. A
 * spectrogram's rows must not change once it has been passed to `fold` or `coarse` (the native
 * kernel keeps per-row results for the spectrogram object); make a new object for new rows.
 */
export interface AnalysisKernel {
  spectrogram(signal: Float32Array): Spectrogram;
  /**
   * Rows `firstRow`.. of the spectrogram of `signal` into `power` (exactly rows × bins long); the
   * rows before `firstRow` are kept. Returns the row count.
   */
  spectrogramRows(signal: Float32Array, power: Float32Array, firstRow: number): number;
  /**
   * Detection values of frames [from, to) of `grid` (from the spectrogram, or from exact frames
   * of `signal` when `exact`), folded by block frame into `folded`.
   */
  fold(
    signal: Float32Array,
    spec: Spectrogram,
    grid: FrameGrid,
    from: number,
    to: number,
    map: BandMap,
    exact: boolean,
    folded: Float32Array,
  ): void;
  /** Best phase and z of every grid (frames 0..min(frames, B), phase 0), in grid order. */
  coarse(spec: Spectrogram, grids: CoarseGrid[], scorer: SyncScorer): PhaseScore[];
  /**
   * Frees what the kernel keeps between calls (the native kernel's cached band powers and
   * buffers, several MB per window, which the garbage collector does not see); the kernel stays
   * usable. A detector calls it when it finishes.
   */
  release(): void;
}
