import type { DspBackend, SyncScorer } from './backend.js';
import type { BlockLayout } from './block-layout.js';

const scorers = new WeakMap<DspBackend, WeakMap<BlockLayout, SyncScorer>>();

/**
 * The sync scorer of `layout` on `backend`, made once and kept as long as the layout is (layouts
 * are cached per key and payload size, see `blockLayout`). A native scorer holds about 1 MB of
 * sign spectra that the garbage collector does not see; made anew for every detection, they
 * piled up in a loop of detections. Sharing is safe: a scorer's buffers only live within a call.
 */
export function syncScorerFor(backend: DspBackend, layout: BlockLayout): SyncScorer {
  let perBackend = scorers.get(backend);
  if (!perBackend) {
    perBackend = new WeakMap();
    scorers.set(backend, perBackend);
  }
  let scorer = perBackend.get(layout);
  if (!scorer) {
    scorer = backend.syncScorer(layout);
    perBackend.set(layout, scorer);
  }
  return scorer;
}
