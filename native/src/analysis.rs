//! Detector front end (docs/watermark.md §6 steps 2–3), the native twin of `band-analysis.ts`
//! and of `WindowSearcher.foldGrid`: Hann-windowed power spectra on a dense grid (hop ¼ frame,
//! rows computed in parallel), exact single-frame spectra, and the conversion of band powers on
//! a frame grid into normalized detection values folded by block frame.

use crate::band_cache::{BandCache, CachedMap};
use crate::embedder::{BANDS, BLOCK_FRAMES};
use crate::errors::NativeError;
use crate::packed_fft::PackedRealFft;
use crate::simd::avx2_dispatch;
use crate::threads::{for_each_chunk_mut, pool, run_shared};
use std::sync::Mutex;

const POWER_FLOOR: f64 = 1e-12;
const DETECT_VALUE_CLIP: f64 = 2.0;
const ROWS_PER_TASK: usize = 64;
/// Frames per parallel work item of a fold.
const FRAMES_PER_TASK: usize = 64;

/// Dense-spectrogram geometry, computed by the TS `BandAnalyzer` and passed in unchanged.
pub struct Analyzer {
    window: Vec<f32>,
    hop: usize,
    fft_size: usize,
    first_bin: usize,
    bin_count: usize,
    /// Per-thread FFT buffers of parallel folds, reused across calls.
    scratches: Mutex<Vec<FrameScratch>>,
    /// Log band powers of the rows of the spectrogram being searched, per band map.
    cache: Mutex<BandCache>,
}

/// Per-thread FFT buffers (single-precision transforms; see `frame_power`).
pub struct FrameScratch {
    fft: PackedRealFft,
    row_power: Vec<f32>,
}

/// A frame grid: frame j starts at origin + j·step samples; its block frame is (j + phase) mod B.
#[derive(Clone, Copy)]
pub struct Grid {
    pub origin: f64,
    pub step: f64,
    pub phase: i64,
}

/// Buffers of one fold (grow on demand, then reused).
pub struct FoldScratch {
    /// FFT buffers of exact frames, made on the first exact fold (dense folds need none).
    frame: Option<FrameScratch>,
    values: Vec<f32>,
    shifted: Vec<f32>,
    valid: Vec<u8>,
}

/// JavaScript's Math.round (half-way cases toward +∞), so both paths pick the same rows.
fn js_round(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

impl Analyzer {
    /// Checks the geometry and builds the Hann window w[n] = ½ − ½cos(2π(n + ½)/L).
    pub fn new(
        window_length: usize,
        hop: usize,
        fft_size: usize,
        first_bin: usize,
        bin_count: usize,
    ) -> Result<Self, NativeError> {
        if window_length == 0 || hop == 0 || window_length > fft_size {
            return Err(NativeError::InvalidOption(format!(
                "bad analysis geometry: window {window_length}, hop {hop}, FFT {fft_size}"
            )));
        }
        if first_bin + bin_count > fft_size / 2 + 1 || bin_count == 0 {
            return Err(NativeError::InvalidOption(format!(
                "bins {first_bin}+{bin_count} exceed FFT size {fft_size}"
            )));
        }
        PackedRealFft::new(fft_size)?;
        let l = window_length as f64;
        let window = (0..window_length)
            .map(|n| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * (n as f64 + 0.5) / l).cos()) as f32)
            .collect();
        Ok(Analyzer {
            window,
            hop,
            fft_size,
            first_bin,
            bin_count,
            scratches: Mutex::new(Vec::new()),
            cache: Mutex::new(BandCache::default()),
        })
    }

    /// Stored fine bins per spectrum row.
    pub fn bin_count(&self) -> usize {
        self.bin_count
    }

    /// Rows of the dense spectrogram of a signal of `len` samples.
    pub fn rows(&self, len: usize) -> usize {
        let w = self.window.len();
        if len < w {
            0
        } else {
            (len - w) / self.hop + 1
        }
    }

    /// Fresh per-thread FFT buffers.
    pub fn frame_scratch(&self) -> FrameScratch {
        FrameScratch {
            fft: PackedRealFft::new(self.fft_size).expect("checked size"),
            row_power: vec![0.0; self.bin_count],
        }
    }

    /// Fresh fold buffers.
    pub fn fold_scratch(&self) -> FoldScratch {
        FoldScratch {
            frame: None,
            values: Vec::new(),
            shifted: Vec::new(),
            valid: Vec::new(),
        }
    }

    /// Power of the stored fine bins of the frame starting at `start` (zero outside the signal).
    pub fn frame_power(&self, s: &mut FrameScratch, signal: &[f32], start: i64, out: &mut [f32]) {
        let len = self.window.len();
        let input = s.fft.input_mut();
        let inside = start >= 0 && start as usize + len <= signal.len();
        if inside {
            let frame = &signal[start as usize..start as usize + len];
            for ((x, &v), &w) in input.iter_mut().zip(frame).zip(&self.window) {
                *x = v * w;
            }
        } else {
            for (n, (x, &w)) in input[..len].iter_mut().zip(&self.window).enumerate() {
                let i = start + n as i64;
                *x = if i >= 0 && (i as usize) < signal.len() {
                    signal[i as usize] * w
                } else {
                    0.0
                };
            }
        }
        input[len..].fill(0.0);
        s.fft
            .forward_power(self.first_bin, &mut out[..self.bin_count]);
    }

    /// Dense spectrogram: row i (the frame at i·hop) into `power[i·bins..]` for every row from
    /// `first_row` on (rows before it are left as they are: the caller carried them over from
    /// the previous, overlapping window), rows in parallel.
    pub fn spectrogram(
        &self,
        signal: &[f32],
        power: &mut [f32],
        first_row: usize,
    ) -> Result<usize, NativeError> {
        let rows = self.rows(signal.len());
        crate::errors::check_len("power", power.len(), rows * self.bin_count)?;
        let bins = self.bin_count;
        let first_row = first_row.min(rows);
        for_each_chunk_mut(
            &mut power[first_row * bins..],
            ROWS_PER_TASK * bins,
            |task, chunk| {
                // Buffers (and their planned transforms) come from the analyzer's pool.
                let mut scratch = self.take_scratch();
                for (r, row) in chunk.chunks_mut(bins).enumerate() {
                    let i = first_row + task * ROWS_PER_TASK + r;
                    self.frame_power(&mut scratch, signal, (i * self.hop) as i64, row);
                }
                self.put_scratch(scratch);
            },
        );
        Ok(rows)
    }

    /// Log band powers of frame `from + i` of `grid` into `out`; returns whether it exists.
    #[allow(clippy::too_many_arguments)]
    fn frame_values(
        &self,
        fs: Option<&mut FrameScratch>,
        signal: &[f32],
        power: &[f32],
        rows: usize,
        pos: f64,
        (lo, hi): (&[i32], &[i32]),
        exact: bool,
        cache: Option<&CachedMap>,
        out: &mut [f32],
    ) -> bool {
        let bins = self.bin_count;
        if exact {
            let start = js_round(pos);
            let ok = start >= 0 && start as usize + self.window.len() <= signal.len();
            if ok {
                let fs = fs.expect("exact frames need FFT buffers");
                let mut row = std::mem::take(&mut fs.row_power);
                self.frame_power(fs, signal, start, &mut row);
                band_log_power(&row, lo, hi, out);
                fs.row_power = row;
            }
            ok
        } else {
            let row = js_round(pos / self.hop as f64);
            let ok = row >= 0 && (row as usize) < rows;
            if ok {
                let r = row as usize;
                let row_power = &power[r * bins..(r + 1) * bins];
                match cache {
                    Some(c) => c.row(r, out, |o| band_log_power(row_power, lo, hi, o)),
                    None => band_log_power(row_power, lo, hi, out),
                }
            }
            ok
        }
    }

    /// [`Self::fold`] of the spectrogram the caller calls `spectrogram` (its id; the rows behind
    /// one id must not change), with that spectrogram's cached log band powers of this map.
    #[allow(clippy::too_many_arguments)]
    pub fn cached_fold(
        &self,
        s: &mut FoldScratch,
        spectrogram: u32,
        signal: &[f32],
        power: &[f32],
        rows: usize,
        grid: Grid,
        range: (i64, i64),
        map: (&[i32], &[i32]),
        exact: bool,
        folded: &mut [f32],
    ) {
        if exact {
            return self.fold(
                s, signal, power, rows, grid, range, map, exact, true, None, folded,
            );
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let entry = cache.map(spectrogram, rows, map.0, map.1);
        self.fold(
            s,
            signal,
            power,
            rows,
            grid,
            range,
            map,
            false,
            true,
            Some(entry),
            folded,
        );
    }

    /// Frees the cached band powers and the per-thread buffers (a finished search): the analyzer
    /// stays usable and refills them on demand. The owner of a detection calls this when it ends,
    /// rather than waiting for JavaScript's garbage collector, which does not see this memory.
    pub fn release(&self) {
        self.band_cache().clear();
        *self.scratches.lock().unwrap_or_else(|e| e.into_inner()) = Vec::new();
    }

    /// The band cache (the coarse search takes entries for a whole batch).
    pub fn band_cache(&self) -> std::sync::MutexGuard<'_, BandCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_scratch(&self) -> FrameScratch {
        let cached = self
            .scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        cached.unwrap_or_else(|| self.frame_scratch())
    }

    fn put_scratch(&self, scratch: FrameScratch) {
        self.scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scratch);
    }

    /// Detection values of frames j ∈ [from, to) of `grid`, folded by block frame into `folded`
    /// (BLOCK_FRAMES × BANDS). Band power comes from the dense spectrogram (`power`, `rows`
    /// rows) or, when `exact`, from a spectrum of the exact frame. `lo`/`hi`: band bin ranges
    /// relative to the first stored bin (the TS `bandMap`). With `parallel`, frames are split
    /// across the worker threads (the values do not depend on the split). `cache`: the rows'
    /// log band powers of this map and spectrogram, filled as they are first needed (dense only).
    #[allow(clippy::too_many_arguments)]
    pub fn fold(
        &self,
        s: &mut FoldScratch,
        signal: &[f32],
        power: &[f32],
        rows: usize,
        grid: Grid,
        (from, to): (i64, i64),
        map: (&[i32], &[i32]),
        exact: bool,
        parallel: bool,
        cache: Option<&CachedMap>,
        folded: &mut [f32],
    ) {
        let cache = if exact { None } else { cache };
        let n = (to - from).max(0) as usize;
        if s.values.len() < n * BANDS {
            s.values.resize(n * BANDS, 0.0);
            s.shifted.resize(n * BANDS, 0.0);
            s.valid.resize(n, 0);
        }
        let values = &mut s.values[..n * BANDS];
        let valid = &mut s.valid[..n];
        // Log band powers of frames first.. into `vals` (BANDS per frame), validity into `oks`.
        let fill =
            |first: usize, vals: &mut [f32], oks: &mut [u8], mut fs: Option<&mut FrameScratch>| {
                for (k, (out, ok)) in vals.chunks_mut(BANDS).zip(oks.iter_mut()).enumerate() {
                    let pos = grid.origin + (from + (first + k) as i64) as f64 * grid.step;
                    let present = self.frame_values(
                        fs.as_deref_mut(),
                        signal,
                        power,
                        rows,
                        pos,
                        map,
                        exact,
                        cache,
                        out,
                    );
                    *ok = present as u8;
                }
            };
        if parallel && n >= 2 * FRAMES_PER_TASK && pool().current_num_threads() > 1 {
            let tasks: Vec<Mutex<(&mut [f32], &mut [u8])>> = values
                .chunks_mut(FRAMES_PER_TASK * BANDS)
                .zip(valid.chunks_mut(FRAMES_PER_TASK))
                .map(Mutex::new)
                .collect();
            run_shared(tasks.len(), |task| {
                // Each task runs once, so its lock is never contended.
                let mut guard = tasks[task].lock().unwrap_or_else(|e| e.into_inner());
                let (vals, oks) = &mut *guard;
                // FFT buffers only for exact frames (dense frames read the spectrogram).
                let mut fs = exact.then(|| self.take_scratch());
                fill(task * FRAMES_PER_TASK, vals, oks, fs.as_mut());
                if let Some(fs) = fs {
                    self.put_scratch(fs);
                }
            });
        } else {
            let frame = exact.then(|| s.frame.get_or_insert_with(|| self.frame_scratch()));
            fill(0, values, valid, frame);
        }
        to_detection_values(values, valid, &mut s.shifted[..n * BANDS]);
        folded.fill(0.0);
        for i in 0..n {
            if valid[i] == 0 {
                continue;
            }
            let block_frame = (from + i as i64 + grid.phase).rem_euclid(BLOCK_FRAMES) as usize;
            let dst = &mut folded[block_frame * BANDS..(block_frame + 1) * BANDS];
            for (d, v) in dst.iter_mut().zip(&values[i * BANDS..(i + 1) * BANDS]) {
                *d += *v;
            }
        }
    }
}

avx2_dispatch! {
    /// ln(Σ power over each band + floor) of one spectrum row. The sum runs in double precision in
    /// four interleaved partial sums (so the additions overlap in the pipeline instead of waiting on
    /// each other); the logarithm is taken in single precision, the precision of the stored result.
    fn band_log_power(row: &[f32], lo: &[i32], hi: &[i32], out: &mut [f32]) => band_log_power_generic;
}

#[inline(always)]
fn band_log_power_generic(row: &[f32], lo: &[i32], hi: &[i32], out: &mut [f32]) {
    for b in 0..BANDS {
        let bins = &row[lo[b] as usize..hi[b] as usize];
        let mut part = [0.0f64; 4];
        let mut quads = bins.chunks_exact(4);
        for q in &mut quads {
            for (s, &p) in part.iter_mut().zip(q) {
                *s += p as f64;
            }
        }
        let mut sum = POWER_FLOOR + ((part[0] + part[1]) + (part[2] + part[3]));
        for &p in quads.remainder() {
            sum += p as f64;
        }
        out[b] = (sum as f32).ln();
    }
}

avx2_dispatch! {
    /// Loudness removal, temporal high-pass, band and frame equalization and clipping, in place
    /// (the TS `toDetectionValues`, same order of operations; invalid rows become zero gaps).
    fn to_detection_values(values: &mut [f32], valid: &[u8], shifted: &mut [f32]) => to_detection_values_generic;
}

#[inline(always)]
fn to_detection_values_generic(values: &mut [f32], valid: &[u8], shifted: &mut [f32]) {
    // Three row-by-row passes (vectorized across the bands); each value goes through the same
    // operations, in the same order, as in the TypeScript reference's five passes.
    let rows = valid.len();
    let nb = BANDS;
    // 1. Loudness: minus the row's mean over bands.
    for (row, &ok) in values.chunks_exact_mut(nb).zip(valid) {
        if ok == 0 {
            row.fill(0.0);
            continue;
        }
        let mut mean = 0.0f64;
        for &v in row.iter() {
            mean += v as f64;
        }
        mean /= nb as f64;
        for v in row.iter_mut() {
            *v = (*v as f64 - mean) as f32;
        }
    }
    // 2. Temporal high-pass into `shifted`, and each band's energy over the valid rows.
    let mut energy = [0.0f64; BANDS];
    let mut count = 0usize;
    for j in 0..rows {
        let out = &mut shifted[j * nb..(j + 1) * nb];
        if valid[j] == 0 {
            out.fill(0.0);
            continue;
        }
        count += 1;
        let here = &values[j * nb..(j + 1) * nb];
        let prev = (j > 0 && valid[j - 1] != 0).then(|| &values[(j - 1) * nb..j * nb]);
        let next = (j + 1 < rows && valid[j + 1] != 0).then(|| &values[(j + 1) * nb..(j + 2) * nb]);
        match (prev, next) {
            (Some(p), Some(n)) => {
                for b in 0..nb {
                    let r = 0.5 * (p[b] as f64 + n[b] as f64);
                    out[b] = (here[b] as f64 - r) as f32;
                }
            }
            (Some(o), None) | (None, Some(o)) => {
                for b in 0..nb {
                    out[b] = (here[b] as f64 - o[b] as f64) as f32;
                }
            }
            (None, None) => {
                for b in 0..nb {
                    out[b] = (here[b] as f64 - 0.0) as f32;
                }
            }
        }
        for (e, &v) in energy.iter_mut().zip(out.iter()) {
            *e += (v as f64) * (v as f64);
        }
    }
    // 3. Bands divided by their RMS over the rows, then frames by theirs, clipped, back into
    //    `values` (a band without energy keeps its values).
    let mut gain = [1.0f64; BANDS];
    if count > 0 {
        for (g, &e) in gain.iter_mut().zip(&energy) {
            if e > 0.0 {
                *g = 1.0 / (e / count as f64).sqrt();
            }
        }
    }
    for j in 0..rows {
        let src = &shifted[j * nb..(j + 1) * nb];
        let row = &mut values[j * nb..(j + 1) * nb];
        for b in 0..nb {
            row[b] = (src[b] as f64 * gain[b]) as f32;
        }
        if valid[j] == 0 {
            continue;
        }
        let mut e = 0.0f64;
        for &v in row.iter() {
            e += (v as f64) * (v as f64);
        }
        if e <= 0.0 {
            continue;
        }
        let g = 1.0 / (e / nb as f64).sqrt();
        for v in row.iter_mut() {
            *v = (*v as f64 * g).clamp(-DETECT_VALUE_CLIP, DETECT_VALUE_CLIP) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_peaks_in_its_bin_of_the_dense_spectrogram() {
        // 44.1 kHz geometry: window 1024, hop 256, FFT 2048; bin k of 2048 is k·21.53 Hz.
        let a = Analyzer::new(1024, 256, 2048, 0, 1025).unwrap();
        let f = 100.0 * 44_100.0 / 2048.0;
        let x: Vec<f32> = (0..8192)
            .map(|n| (2.0 * std::f64::consts::PI * f * n as f64 / 44_100.0).sin() as f32)
            .collect();
        let rows = a.rows(x.len());
        assert_eq!(rows, (8192 - 1024) / 256 + 1);
        let mut p = vec![0.0f32; rows * 1025];
        a.spectrogram(&x, &mut p, 0).unwrap();
        for r in 0..rows {
            let row = &p[r * 1025..(r + 1) * 1025];
            let peak = (0..1025)
                .max_by(|&i, &j| row[i].total_cmp(&row[j]))
                .unwrap();
            assert_eq!(peak, 100);
            // Hann window sum is L/2, so the peak magnitude is ≈ L/4 for a unit sine.
            assert!((row[100].sqrt() - 256.0).abs() < 2.0, "{}", row[100].sqrt());
        }
    }

    #[test]
    fn rows_carried_over_from_an_overlapping_window_equal_fresh_rows() {
        let a = Analyzer::new(1024, 256, 4096, 40, 400).unwrap();
        let x: Vec<f32> = (0..44_100 * 3)
            .map(|n| (((n * 7919) % 1013) as f32 / 1013.0 - 0.5) * 0.3)
            .collect();
        let shift_rows = 200;
        let (first, second) = (&x[..44_100 * 2], &x[shift_rows * 256..]);
        let mut p = vec![0.0f32; a.rows(first.len()) * 400];
        a.spectrogram(first, &mut p, 0).unwrap();
        let rows = a.rows(second.len());
        let kept = a.rows(first.len()) - shift_rows;
        p.copy_within(shift_rows * 400.., 0);
        p.truncate(rows * 400);
        a.spectrogram(second, &mut p, kept).unwrap();
        let mut fresh = vec![0.0f32; rows * 400];
        a.spectrogram(second, &mut fresh, 0).unwrap();
        assert_eq!(p, fresh);
    }

    #[test]
    fn parallel_and_sequential_folds_agree() {
        let a = Analyzer::new(1024, 256, 4096, 40, 400).unwrap();
        let x: Vec<f32> = (0..44_100 * 4)
            .map(|n| (((n * 7919) % 1013) as f32 / 1013.0 - 0.5) * 0.3)
            .collect();
        let rows = a.rows(x.len());
        let mut p = vec![0.0f32; rows * 400];
        a.spectrogram(&x, &mut p, 0).unwrap();
        let lo: Vec<i32> = (0..BANDS as i32).map(|b| 4 * b).collect();
        let hi: Vec<i32> = (0..BANDS as i32).map(|b| 4 * b + 6).collect();
        let grid = Grid {
            origin: 3.5,
            step: 1023.7,
            phase: 17,
        };
        for exact in [false, true] {
            let mut seq = vec![0.0f32; 1024 * BANDS];
            let mut par = vec![0.0f32; 1024 * BANDS];
            let mut s = a.fold_scratch();
            a.fold(
                &mut s,
                &x,
                &p,
                rows,
                grid,
                (-2, 175),
                (&lo, &hi),
                exact,
                false,
                None,
                &mut seq,
            );
            a.fold(
                &mut s,
                &x,
                &p,
                rows,
                grid,
                (-2, 175),
                (&lo, &hi),
                exact,
                true,
                None,
                &mut par,
            );
            assert_eq!(seq, par);
            // Through the band cache, twice (filling, then reading): the same values.
            for _ in 0..2 {
                let mut cached = vec![0.0f32; 1024 * BANDS];
                a.cached_fold(
                    &mut s,
                    1,
                    &x,
                    &p,
                    rows,
                    grid,
                    (-2, 175),
                    (&lo, &hi),
                    exact,
                    &mut cached,
                );
                assert_eq!(cached, seq);
            }
            assert!(seq.iter().any(|&v| v != 0.0));
        }
    }

    #[test]
    fn detection_values_equal_the_five_pass_reference_bit_for_bit() {
        let rows = 300;
        let mut seed = 99u32;
        let mut v: Vec<f32> = (0..rows * BANDS)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed as f64 / u32::MAX as f64 * 12.0 - 30.0) as f32
            })
            .collect();
        // Gaps of one and of several rows, at the edges too; one band without energy.
        let valid: Vec<u8> = (0..rows)
            .map(|j| u8::from(!matches!(j, 0 | 7 | 100..=103 | 299)))
            .collect();
        for j in 0..rows {
            v[j * BANDS + 9] = 4.0;
        }
        let mut reference = v.clone();
        reference_detection_values(&mut reference, &valid);
        let mut tmp = vec![0.0f32; rows * BANDS];
        to_detection_values(&mut v, &valid, &mut tmp);
        assert_eq!(v, reference);
    }

    /// The five passes of the TypeScript `toDetectionValues`, written out as the format defines
    /// them (loudness, high-pass, band RMS, frame RMS with clipping).
    fn reference_detection_values(values: &mut [f32], valid: &[u8]) {
        let (rows, nb) = (valid.len(), BANDS);
        for j in 0..rows {
            let row = &mut values[j * nb..(j + 1) * nb];
            if valid[j] == 0 {
                row.fill(0.0);
                continue;
            }
            let mean = row.iter().map(|&v| v as f64).sum::<f64>() / nb as f64;
            for v in row.iter_mut() {
                *v = (*v as f64 - mean) as f32;
            }
        }
        let shifted = values.to_vec();
        for j in 0..rows {
            if valid[j] == 0 {
                continue;
            }
            let prev = j > 0 && valid[j - 1] != 0;
            let next = j + 1 < rows && valid[j + 1] != 0;
            for b in 0..nb {
                let c = shifted[j * nb + b] as f64;
                let r = match (prev, next) {
                    (true, true) => {
                        0.5 * (shifted[(j - 1) * nb + b] as f64 + shifted[(j + 1) * nb + b] as f64)
                    }
                    (true, false) => shifted[(j - 1) * nb + b] as f64,
                    (false, true) => shifted[(j + 1) * nb + b] as f64,
                    (false, false) => 0.0,
                };
                values[j * nb + b] = (c - r) as f32;
            }
        }
        for b in 0..nb {
            let (mut e, mut n) = (0.0f64, 0usize);
            for j in (0..rows).filter(|&j| valid[j] != 0) {
                e += (values[j * nb + b] as f64).powi(2);
                n += 1;
            }
            if n == 0 || e <= 0.0 {
                continue;
            }
            let g = 1.0 / (e / n as f64).sqrt();
            for j in 0..rows {
                values[j * nb + b] = (values[j * nb + b] as f64 * g) as f32;
            }
        }
        for j in (0..rows).filter(|&j| valid[j] != 0) {
            let row = &mut values[j * nb..(j + 1) * nb];
            let e: f64 = row.iter().map(|&v| (v as f64) * (v as f64)).sum();
            if e <= 0.0 {
                continue;
            }
            let g = 1.0 / (e / nb as f64).sqrt();
            for v in row.iter_mut() {
                *v = (*v as f64 * g).clamp(-DETECT_VALUE_CLIP, DETECT_VALUE_CLIP) as f32;
            }
        }
    }

    #[test]
    fn detection_values_are_normalized_and_clipped() {
        let rows = 40;
        let mut v: Vec<f32> = (0..rows * BANDS)
            .map(|i| ((i * 7919) % 97) as f32 / 10.0)
            .collect();
        let mut valid = vec![1u8; rows];
        valid[5] = 0;
        let mut tmp = vec![0.0f32; rows * BANDS];
        to_detection_values(&mut v, &valid, &mut tmp);
        assert!(v[5 * BANDS..6 * BANDS].iter().all(|&x| x == 0.0));
        assert!(v.iter().all(|x| x.abs() <= 2.0));
        let row: f64 = v[..BANDS].iter().map(|&x| (x as f64).powi(2)).sum();
        assert!(row / (BANDS as f64) <= 1.0 + 1e-6);
    }
}
