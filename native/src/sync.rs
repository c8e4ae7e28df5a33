//! Sync correlation over every block phase at once (docs/watermark.md §6 step 4), the native
//! twin of `sync-correlator.ts`: score(φ) = Σ_b IDFT(conj(DFT(F_b))·DFT(S_b))[φ], normalized by
//! √((sync cells per frame / bands) · Σ F²).

use crate::embedder::{BANDS, BLOCK_FRAMES};
use crate::errors::{check_len, NativeError};
use crate::fft::RealFft;
use realfft::num_complex::Complex64;
use std::sync::Mutex;

const SYNC_BANDS_PER_FRAME: f64 = 10.0;
const B: usize = BLOCK_FRAMES as usize;

/// Spectra of the keyed sync sign columns of one key's layout.
pub struct SyncCorrelator {
    sign_spectra: Vec<Vec<Complex64>>,
    /// Buffers of parallel correlations, reused across calls (planning a transform costs more
    /// than a correlation).
    scratches: Mutex<Vec<CorrScratch>>,
}

/// Per-thread buffers of a correlation.
pub struct CorrScratch {
    fft: RealFft,
    column: Vec<f64>,
    spectrum: Vec<Complex64>,
    acc: Vec<Complex64>,
    out: Vec<f64>,
}

impl CorrScratch {
    /// Fresh buffers.
    pub fn new() -> Self {
        let fft = RealFft::new(B).expect("block size is a power of two");
        let spectrum = fft.spectrum();
        let acc = fft.spectrum();
        CorrScratch {
            fft,
            column: vec![0.0; B],
            spectrum,
            acc,
            out: vec![0.0; B],
        }
    }
}

impl SyncCorrelator {
    /// `sync_sign`: per cell (block frame · BANDS + band) +1/−1 for a sync cell, 0 otherwise.
    pub fn new(sync_sign: &[i8]) -> Result<Self, NativeError> {
        check_len("sync signs", sync_sign.len(), B * BANDS)?;
        let mut s = CorrScratch::new();
        let mut sign_spectra = Vec::with_capacity(BANDS);
        for b in 0..BANDS {
            for j in 0..B {
                s.column[j] = sync_sign[j * BANDS + b] as f64;
            }
            let mut spec = s.fft.spectrum();
            s.fft.forward(&mut s.column, &mut spec);
            sign_spectra.push(spec);
        }
        Ok(SyncCorrelator {
            sign_spectra,
            scratches: Mutex::new(vec![s]),
        })
    }

    /// [`Self::best`] with buffers from the correlator's pool (for worker threads).
    pub fn best_pooled(&self, folded: &[f32]) -> (usize, f64) {
        let cached = self
            .scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let mut s = cached.unwrap_or_default();
        let best = self.best(&mut s, folded);
        self.scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(s);
        best
    }

    /// Best block phase of `folded` (B × BANDS) and its approximate z (first maximum wins).
    pub fn best(&self, s: &mut CorrScratch, folded: &[f32]) -> (usize, f64) {
        s.acc.fill(Complex64::new(0.0, 0.0));
        let mut total = 0.0f64;
        for (b, reference) in self.sign_spectra.iter().enumerate() {
            let mut any = false;
            for j in 0..B {
                let v = folded[j * BANDS + b] as f64;
                s.column[j] = v;
                total += v * v;
                any |= v != 0.0;
            }
            if !any {
                continue;
            }
            s.fft.forward(&mut s.column, &mut s.spectrum);
            for ((a, f), r) in s.acc.iter_mut().zip(&s.spectrum).zip(reference) {
                a.re += f.re * r.re + f.im * r.im;
                a.im += f.re * r.im - f.im * r.re;
            }
        }
        s.fft.inverse(&mut s.acc, &mut s.out);
        let e = total * SYNC_BANDS_PER_FRAME / BANDS as f64;
        let norm = if e > 1e-20 {
            1.0 / (B as f64 * e.sqrt())
        } else {
            0.0
        };
        let mut best = (0usize, f64::NEG_INFINITY);
        for (p, &v) in s.out.iter().enumerate() {
            let z = v * norm;
            if z > best.1 {
                best = (p, z);
            }
        }
        best
    }
}

impl Default for CorrScratch {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_phase_of_a_shifted_pattern() {
        // Direct evaluation of the definition at the true phase is the reference.
        let signs: Vec<i8> = (0..B * BANDS)
            .map(|c| match ((c * 2_654_435_761usize) >> 9) % 5 {
                0 => 1,
                1 => -1,
                _ => 0,
            })
            .collect();
        let corr = SyncCorrelator::new(&signs).unwrap();
        let phase = 317;
        // F[j][b] = S[(j + phase) mod B][b]
        let folded: Vec<f32> = (0..B * BANDS)
            .map(|c| signs[((c / BANDS + phase) % B) * BANDS + c % BANDS] as f32)
            .collect();
        let mut s = CorrScratch::new();
        let (p, z) = corr.best(&mut s, &folded);
        assert_eq!(p, phase);
        let direct: f64 = folded.iter().map(|&v| (v as f64) * (v as f64)).sum();
        let e = direct * SYNC_BANDS_PER_FRAME / BANDS as f64;
        assert!((z - direct / e.sqrt()).abs() < 1e-9 * z.abs());
    }
}
