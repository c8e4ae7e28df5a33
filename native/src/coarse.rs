//! The coarse search's inner loop (docs/watermark.md §6 step 4): for many frame grids at once,
//! fold the dense spectrogram's detection values by block frame and score every block phase by
//! FFT correlation. Grids are independent, so they run in parallel, each worker with its own
//! buffers.

use crate::analysis::{Analyzer, FoldScratch, Grid};
use crate::embedder::{BANDS, BLOCK_FRAMES};
use crate::errors::{check_len, NativeError};
use crate::sync::SyncCorrelator;
use crate::threads::for_each_chunk_mut;
use std::sync::Mutex;

/// Values per grid in `grids`: origin, step, frames.
pub const GRID_FIELDS: usize = 3;
/// Values per grid in `maps`: 52 band starts, then 52 band ends.
pub const MAP_FIELDS: usize = 2 * BANDS;

/// Scores every grid: `out[2g]` = best phase, `out[2g + 1]` = its approximate z. Frames
/// 0..min(frames, B) of grid g are used, with block phase 0. `spectrogram`: the caller's id of
/// the spectrogram, to share its cached log band powers with later folds (None: no cache).
#[allow(clippy::too_many_arguments)]
pub fn coarse(
    analyzer: &Analyzer,
    spectrogram: Option<u32>,
    power: &[f32],
    rows: usize,
    grids: &[f64],
    maps: &[i32],
    sync: &SyncCorrelator,
    out: &mut [f64],
) -> Result<(), NativeError> {
    let count = grids.len() / GRID_FIELDS;
    check_len("grids", grids.len(), count * GRID_FIELDS)?;
    check_len("band maps", maps.len(), count * MAP_FIELDS)?;
    check_len("scores", out.len(), count * 2)?;
    check_len("power", power.len(), rows * analyzer.bin_count())?;
    for m in maps.chunks(MAP_FIELDS) {
        let (lo, hi) = m.split_at(BANDS);
        if lo
            .iter()
            .zip(hi)
            .any(|(&l, &h)| l < 0 || h < l || h as usize > analyzer.bin_count())
        {
            return Err(NativeError::InvalidOption(
                "band map outside the stored bins".into(),
            ));
        }
    }
    let cells = BLOCK_FRAMES as usize * BANDS;
    // Cached log band powers when the batch uses few band maps (the unscaled stage uses one).
    let split: Vec<(&[i32], &[i32])> = maps.chunks(MAP_FIELDS).map(|m| m.split_at(BANDS)).collect();
    let mut cache = analyzer.band_cache();
    let entries = match spectrogram {
        Some(id) => cache.maps(id, rows, &split),
        None => None,
    };
    // Fold buffers for every thread that may join (the calling thread and the pool's workers).
    let buffers: Mutex<Vec<(FoldScratch, Vec<f32>)>> = Mutex::new(Vec::new());
    for_each_chunk_mut(out, 2, |g, o| {
        let taken = buffers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let (mut fold, mut folded) =
            taken.unwrap_or_else(|| (analyzer.fold_scratch(), vec![0.0f32; cells]));
        let spec = &grids[g * GRID_FIELDS..(g + 1) * GRID_FIELDS];
        let map = &maps[g * MAP_FIELDS..(g + 1) * MAP_FIELDS];
        let grid = Grid {
            origin: spec[0],
            step: spec[1],
            phase: 0,
        };
        let frames = (spec[2].max(0.0) as i64).min(BLOCK_FRAMES);
        analyzer.fold(
            &mut fold,
            &[],
            power,
            rows,
            grid,
            (0, frames),
            map.split_at(BANDS),
            false,
            false,
            entries.as_ref().map(|e| e[g]),
            &mut folded,
        );
        let (phase, z) = sync.best_pooled(&folded);
        o[0] = phase as f64;
        o[1] = z;
        buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((fold, folded));
    });
    Ok(())
}
