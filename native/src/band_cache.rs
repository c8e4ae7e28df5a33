//! Log band powers of dense-spectrogram rows, kept per band map while one spectrogram is
//! searched. The coarse search and the refinement fold the same rows with the same few band maps
//! over and over (a refinement's time scales move band edges by at most one bin, so most of its
//! grids share a map), and the band sums and logarithms are the bulk of a fold's work.
//!
//! Rows are filled on first use. Values are stored as atomics so that worker threads folding the
//! same spectrogram at once may fill rows concurrently (a row filled twice gets the same bits).

use crate::embedder::BANDS;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// Maps kept per spectrogram; the least recently used one is replaced beyond this.
const MAX_MAPS: usize = 8;

/// The log band powers of one band map over the rows of one spectrogram.
pub struct CachedMap {
    lo: [i32; BANDS],
    hi: [i32; BANDS],
    values: Vec<AtomicU32>,
    ready: Vec<AtomicU8>,
    last_use: u64,
}

impl CachedMap {
    fn new(lo: &[i32], hi: &[i32], rows: usize) -> Self {
        let mut m = CachedMap {
            lo: [0; BANDS],
            hi: [0; BANDS],
            values: Vec::new(),
            ready: Vec::new(),
            last_use: 0,
        };
        m.reset(lo, hi, rows);
        m
    }

    fn reset(&mut self, lo: &[i32], hi: &[i32], rows: usize) {
        self.lo.copy_from_slice(lo);
        self.hi.copy_from_slice(hi);
        self.values.resize_with(rows * BANDS, || AtomicU32::new(0));
        self.ready.resize_with(rows, || AtomicU8::new(0));
        self.values.truncate(rows * BANDS);
        self.ready.truncate(rows);
        for r in &mut self.ready {
            *r.get_mut() = 0;
        }
    }

    fn is(&self, lo: &[i32], hi: &[i32]) -> bool {
        self.lo[..] == *lo && self.hi[..] == *hi
    }

    /// The log band powers of row `r` into `out`, computed by `compute` on first use.
    #[inline]
    pub fn row(&self, r: usize, out: &mut [f32], compute: impl FnOnce(&mut [f32])) {
        let cells = &self.values[r * BANDS..(r + 1) * BANDS];
        if self.ready[r].load(Ordering::Acquire) == 1 {
            for (o, v) in out.iter_mut().zip(cells) {
                *o = f32::from_bits(v.load(Ordering::Relaxed));
            }
        } else {
            compute(out);
            for (v, o) in cells.iter().zip(out.iter()) {
                v.store(o.to_bits(), Ordering::Relaxed);
            }
            self.ready[r].store(1, Ordering::Release);
        }
    }
}

/// The cached maps of the spectrogram last folded (identified by the caller's id).
#[derive(Default)]
pub struct BandCache {
    spectrogram: Option<u32>,
    maps: Vec<CachedMap>,
    clock: u64,
}

impl BandCache {
    /// Frees every cached map (the memory of a finished search).
    pub fn clear(&mut self) {
        self.spectrogram = None;
        self.maps = Vec::new();
    }

    /// Forgets every row when `spectrogram` is not the one cached.
    fn select(&mut self, spectrogram: u32, rows: usize) {
        if self.spectrogram != Some(spectrogram)
            || self.maps.first().is_some_and(|m| m.ready.len() != rows)
        {
            self.spectrogram = Some(spectrogram);
            self.maps.clear();
        }
    }

    /// The entry of band map (`lo`, `hi`) of spectrogram `spectrogram` with `rows` rows, made
    /// (or recycled from the least recently used map) when missing.
    pub fn map(&mut self, spectrogram: u32, rows: usize, lo: &[i32], hi: &[i32]) -> &CachedMap {
        self.select(spectrogram, rows);
        self.clock += 1;
        let index = match self.maps.iter().position(|m| m.is(lo, hi)) {
            Some(i) => i,
            None if self.maps.len() < MAX_MAPS => {
                self.maps.push(CachedMap::new(lo, hi, rows));
                self.maps.len() - 1
            }
            None => {
                let (i, _) = self
                    .maps
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, m)| m.last_use)
                    .expect("maps");
                self.maps[i].reset(lo, hi, rows);
                i
            }
        };
        self.maps[index].last_use = self.clock;
        &self.maps[index]
    }

    /// Entries for several maps at once (for a batch folded in parallel), or `None` when they
    /// are more than the cache keeps.
    pub fn maps<'a>(
        &'a mut self,
        spectrogram: u32,
        rows: usize,
        maps: &[(&[i32], &[i32])],
    ) -> Option<Vec<&'a CachedMap>> {
        let mut distinct: Vec<(&[i32], &[i32])> = Vec::new();
        for &(lo, hi) in maps {
            if !distinct.iter().any(|&(l, h)| l == lo && h == hi) {
                distinct.push((lo, hi));
            }
        }
        if distinct.len() > MAX_MAPS / 2 {
            return None;
        }
        for &(lo, hi) in &distinct {
            self.map(spectrogram, rows, lo, hi);
        }
        let this: &'a BandCache = self;
        Some(
            maps.iter()
                .map(|&(lo, hi)| {
                    this.maps
                        .iter()
                        .find(|m| m.is(lo, hi))
                        .expect("just cached")
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_computed_once_per_map_and_spectrogram() {
        let lo = [1i32; BANDS];
        let hi = [2i32; BANDS];
        let mut cache = BandCache::default();
        let mut calls = 0;
        let mut out = [0.0f32; BANDS];
        for _ in 0..3 {
            let m = cache.map(7, 10, &lo, &hi);
            m.row(4, &mut out, |o| {
                calls += 1;
                o.fill(1.5);
            });
            assert_eq!(out, [1.5; BANDS]);
        }
        assert_eq!(calls, 1);
        // Another spectrogram id forgets the rows.
        let m = cache.map(8, 10, &lo, &hi);
        m.row(4, &mut out, |o| {
            calls += 1;
            o.fill(2.5);
        });
        assert_eq!((calls, out[0]), (2, 2.5));
        // Too many distinct maps for one batch: no entries.
        let his: Vec<[i32; BANDS]> = (0..8).map(|i| [3 + i; BANDS]).collect();
        let batch: Vec<(&[i32], &[i32])> = his.iter().map(|h| (&lo[..], &h[..])).collect();
        assert!(cache.maps(8, 10, &batch).is_none());
        assert_eq!(cache.maps(8, 10, &batch[..2]).map(|v| v.len()), Some(2));
        // Cleared: nothing kept, rows computed again.
        cache.clear();
        assert!(cache.maps.is_empty());
        cache.map(8, 10, &lo, &hi).row(4, &mut out, |o| {
            calls += 1;
            o.fill(3.5);
        });
        assert_eq!((calls, out[0]), (3, 3.5));
    }
}
