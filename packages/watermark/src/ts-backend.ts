import type { AnalysisKernel, DspBackend, PhaseScore } from './backend.js';
import type { BandAnalyzer } from './band-analysis.js';
import { viterbiDecode } from './convolutional.js';
import { FrameEmbedder } from './frame-embedder.js';
import { GridFolder } from './grid-fold.js';
import { deriveLayoutTs } from './layout-derive.js';
import { BANDS_PER_FRAME, BLOCK_FRAMES } from './params.js';
import { SyncCorrelator } from './sync-correlator.js';

function analysis(analyzer: BandAnalyzer): AnalysisKernel {
  const folder = new GridFolder(analyzer);
  const folded = new Float32Array(BLOCK_FRAMES * BANDS_PER_FRAME);
  return {
    spectrogram: (signal) => analyzer.spectrogram(signal),
    spectrogramRows: (signal, power, firstRow) => analyzer.spectrogramRows(signal, power, firstRow),
    fold: (signal, spec, grid, from, to, map, exact, out) =>
      folder.fold(signal, spec, grid, from, to, map, exact, out),
    coarse(spec, grids, scorer) {
      const scores: PhaseScore[] = [];
      const empty = new Float32Array(0);
      for (const g of grids) {
        const grid = { origin: g.origin, step: g.step, phase: 0 };
        folder.fold(empty, spec, grid, 0, Math.min(g.frames, BLOCK_FRAMES), g.map, false, folded);
        scores.push(scorer.best(folded));
      }
      return scores;
    },
    // Everything here is ordinary garbage-collected memory.
    release: () => {},
  };
}

/** The pure TypeScript reference implementation (Node and browsers). */
export const tsBackend: DspBackend = {
  name: 'ts',
  frameMarker: (sampleRate, signs, delta) => new FrameEmbedder(sampleRate, signs, delta),
  analysis,
  syncScorer: (layout) => new SyncCorrelator(layout),
  deriveLayout: deriveLayoutTs,
  viterbi: viterbiDecode,
};
