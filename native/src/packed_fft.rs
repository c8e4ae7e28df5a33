//! Single-precision real FFTs of N points through one complex FFT of N/2 points, for the hot
//! loops that need only a band of bins: the embedder (bins of the marked bands in, the same bins
//! out) and the detector's dense spectrogram (the stored bins).
//!
//! Packing: z[n] = x[2n] + i·x[2n+1] (n < M = N/2) and Z = DFT_M(z). With E, O the DFTs of the
//! even and odd samples, E[k] = (Z[k] + Z̄[M−k]) / 2, O[k] = (Z[k] − Z̄[M−k]) / 2i and
//! X[k] = E[k] + W^k·O[k] (W = e^{−2πi/N}, indices mod M). The inverse runs the same relations
//! backwards. Only the bins asked for are unpacked, and the unpacking is a tight loop over
//! paired bins k and M − k; the transform itself is rustfft's (AVX when the CPU has it).

use crate::errors::NativeError;
use crate::simd::avx2_dispatch;
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// A planned forward and inverse real FFT of N points with its buffers.
pub struct PackedRealFft {
    n: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    /// W^k = e^{−2πik/N} for k = 0..=N/2, computed in double precision.
    twiddles: Vec<Complex32>,
    /// The packed signal z (M values); the transform runs in place here.
    packed: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl PackedRealFft {
    /// Plans transforms of `n` points (a power of two ≥ 4).
    pub fn new(n: usize) -> Result<Self, NativeError> {
        if n < 4 || !n.is_power_of_two() {
            return Err(NativeError::InvalidOption(format!(
                "FFT size must be a power of two >= 4, got {n}"
            )));
        }
        let m = n / 2;
        let mut planner = FftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(m);
        let inverse = planner.plan_fft_inverse(m);
        let len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        let twiddles = (0..=m)
            .map(|k| {
                let a = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                Complex32::new(a.cos() as f32, a.sin() as f32)
            })
            .collect();
        Ok(PackedRealFft {
            n,
            forward,
            inverse,
            twiddles,
            packed: vec![Complex32::new(0.0, 0.0); m],
            scratch: vec![Complex32::new(0.0, 0.0); len],
        })
    }

    /// The N real input samples of [`Self::forward`], to fill in place (samples the caller does
    /// not write keep their previous values: zero them for zero padding).
    pub fn input_mut(&mut self) -> &mut [f32] {
        let n = self.n;
        // SAFETY: `Complex<f32>` is `#[repr(C)]` { re, im } with the alignment of f32, so M
        // complex values are exactly N consecutive f32 (re of value j at 2j, im at 2j + 1).
        unsafe { std::slice::from_raw_parts_mut(self.packed.as_mut_ptr().cast::<f32>(), n) }
    }

    /// Forward transform of the samples in [`Self::input_mut`]: `out[j]` = X[k0 + j] for the
    /// bins k0 ≤ k < k0 + out.len() ≤ N/2 + 1, X[k] = Σ x[t]·e^{−2πikt/N}. The input is consumed.
    pub fn forward(&mut self, k0: usize, out: &mut [Complex32]) {
        let m = self.n / 2;
        assert!(k0 + out.len() <= m + 1, "bins beyond N/2");
        self.forward
            .process_with_scratch(&mut self.packed, &mut self.scratch);
        unpack_range(&self.packed, &self.twiddles, k0, out);
    }

    /// Power |X[k]|² of the bins k0 ≤ k < k0 + out.len() (see [`Self::forward`]).
    pub fn forward_power(&mut self, k0: usize, out: &mut [f32]) {
        let m = self.n / 2;
        assert!(k0 + out.len() <= m + 1, "bins beyond N/2");
        self.forward
            .process_with_scratch(&mut self.packed, &mut self.scratch);
        unpack_power_range(&self.packed, &self.twiddles, k0, out);
    }

    /// Unnormalized inverse of a Hermitian spectrum that is zero outside the bins
    /// k0 ≤ k < k0 + bins.len() (0 < k0, k0 + bins.len() ≤ N/2): out[t] = Σ_{k<N} X[k]·e^{2πikt/N}
    /// (= N·x[t] for the spectrum of x) for t < out.len() ≤ N.
    pub fn inverse(&mut self, k0: usize, bins: &[Complex32], out: &mut [f32]) {
        let m = self.n / 2;
        let k1 = k0 + bins.len();
        assert!(k0 > 0 && k1 <= m, "inverse bins must lie in 1..N/2");
        assert!(out.len() <= self.n, "more outputs than samples");
        if 2 * k1 <= m {
            // The usual case: the band and its mirror M − k do not meet, so X[M − k] = 0 in both
            // relations and every Z is one product; the rest of Z is zero.
            let z = &mut self.packed;
            z[..k0].fill(Complex32::new(0.0, 0.0));
            z[k1..=m - k1].fill(Complex32::new(0.0, 0.0));
            z[m - k0 + 1..].fill(Complex32::new(0.0, 0.0));
            pack_band(z, &self.twiddles, k0, bins);
        } else {
            self.pack_general(k0, bins);
        }
        self.inverse
            .process_with_scratch(&mut self.packed, &mut self.scratch);
        let len = out.len();
        out.copy_from_slice(&self.input_mut()[..len]);
    }

    /// Z of any band (also one that meets its mirror), bin by bin.
    fn pack_general(&mut self, k0: usize, bins: &[Complex32]) {
        let m = self.n / 2;
        let k1 = k0 + bins.len();
        let x = |k: usize| -> Complex32 {
            if (k0..k1).contains(&k) {
                bins[k - k0]
            } else {
                Complex32::new(0.0, 0.0)
            }
        };
        let z = &mut self.packed;
        z.fill(Complex32::new(0.0, 0.0));
        // Z[k] = 2·(E[k] + i·O[k]) with E[k] = (X[k] + X̄[M−k]) / 2 and
        // O[k] = (X[k] − X̄[M−k])·W̄^k / 2: nonzero only where k or M − k is a given bin.
        let mut put = |k: usize| {
            let a = x(k);
            let b = x(m - k).conj();
            let o = (a - b) * self.twiddles[k].conj();
            z[k] = (a + b) + Complex32::new(-o.im, o.re);
        };
        for k in k0..k1 {
            put(k);
        }
        for k in (m - k1 + 1)..=(m - k0) {
            if !(k0..k1).contains(&k) {
                put(k);
            }
        }
    }
}

avx2_dispatch! {
    /// Z[k] = X[k]·(1 + i·W̄^k) and Z[M − k] = X̄[k]·(1 − i·W̄^{M−k}) for the bins of a band that does
    /// not meet its mirror (`pack_general` with X[M − k] = 0).
    fn pack_band(z: &mut [Complex32], w: &[Complex32], k0: usize, bins: &[Complex32]) => pack_band_generic;
}

#[inline(always)]
fn pack_band_generic(z: &mut [Complex32], w: &[Complex32], k0: usize, bins: &[Complex32]) {
    let m = z.len();
    let n = bins.len();
    let (low, high) = z.split_at_mut(m - (k0 + n) + 1);
    // low[k0..k0 + n] = Z[k0..k1]; high holds Z[M − k1 + 1..=M − k0] (reversed order of k).
    let tw = &w[k0..k0 + n];
    let tw_mirror = &w[m - (k0 + n) + 1..=m - k0];
    for ((zk, &a), &t) in low[k0..k0 + n].iter_mut().zip(bins).zip(tw) {
        // a·(1 + i·t̄) with t̄ = (t.re, −t.im): 1 + i·t̄ = (1 + t.im, t.re)
        let (pr, pi) = (1.0 + t.im, t.re);
        *zk = Complex32::new(a.re * pr - a.im * pi, a.re * pi + a.im * pr);
    }
    let mirror = &mut high[..n];
    for ((zk, &a), &t) in mirror
        .iter_mut()
        .rev()
        .zip(bins)
        .zip(tw_mirror.iter().rev())
    {
        // ā·(1 − i·t̄) with t = W^{M−k}: 1 − i·t̄ = (1 − t.im, −t.re)
        let (qr, qi) = (1.0 - t.im, -t.re);
        let (ar, ai) = (a.re, -a.im);
        *zk = Complex32::new(ar * qr - ai * qi, ar * qi + ai * qr);
    }
}

avx2_dispatch! {
    /// |X[k]|² of the bins k0.. from the packed transform z into `out`.
    fn unpack_power_range(z: &[Complex32], w: &[Complex32], k0: usize, out: &mut [f32]) => unpack_power_range_generic;
}

#[inline(always)]
fn unpack_power_range_generic(z: &[Complex32], w: &[Complex32], k0: usize, out: &mut [f32]) {
    // In blocks through the complex unpacking (vectorized there), then the squares.
    let mut block = [Complex32::new(0.0, 0.0); 64];
    for (i, chunk) in out.chunks_mut(64).enumerate() {
        let bins = &mut block[..chunk.len()];
        unpack_range_generic(z, w, k0 + 64 * i, bins);
        for (p, x) in chunk.iter_mut().zip(bins.iter()) {
            *p = x.re * x.re + x.im * x.im;
        }
    }
}

avx2_dispatch! {
    /// Bins k0.. of the real spectrum from the packed transform z into `out`.
    fn unpack_range(z: &[Complex32], w: &[Complex32], k0: usize, out: &mut [Complex32]) => unpack_range_generic;
}

#[inline(always)]
fn unpack_range_generic(z: &[Complex32], w: &[Complex32], k0: usize, out: &mut [Complex32]) {
    let m = z.len();
    let k1 = k0 + out.len();
    let mut j = 0;
    // The edges k = 0 and k = M, where the mirrored index wraps.
    while k0 + j < k1 && k0 + j == 0 {
        out[j] = unpack(z, w, m, 0);
        j += 1;
    }
    let inner_end = k1.min(m);
    if k0 + j < inner_end {
        let (ks, n) = (k0 + j, inner_end - (k0 + j));
        let fwd = &z[ks..ks + n];
        let back = &z[m - (ks + n) + 1..=m - ks];
        let tw = &w[ks..ks + n];
        let dst = &mut out[j..j + n];
        for (((x, &a), &bb), &t) in dst.iter_mut().zip(fwd).zip(back.iter().rev()).zip(tw) {
            let b = bb.conj();
            let (sr, si) = ((a.re + b.re) * 0.5, (a.im + b.im) * 0.5);
            let (dr, di) = (a.re - b.re, a.im - b.im);
            let (or, oi) = (di * 0.5, -dr * 0.5);
            *x = Complex32::new(sr + t.re * or - t.im * oi, si + t.re * oi + t.im * or);
        }
        j += n;
    }
    while k0 + j < k1 {
        out[j] = unpack(z, w, m, k0 + j);
        j += 1;
    }
}

/// Bin k (0 ≤ k ≤ M) of the real spectrum from the packed transform z (no division: the indices
/// k and M − k wrap only at k = 0 and k = M).
#[inline(always)]
fn unpack(z: &[Complex32], w: &[Complex32], m: usize, k: usize) -> Complex32 {
    let (a, b) = if k == 0 || k == m {
        (z[0], z[0].conj())
    } else {
        (z[k], z[m - k].conj())
    };
    let e = (a + b) * 0.5;
    // (a − b) / 2i = −i·(a − b) / 2
    let d = a - b;
    let o = Complex32::new(d.im * 0.5, -d.re * 0.5);
    e + w[k] * o
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Direct O(N²) DFT bin k of x (zero-padded to n), the independent reference.
    fn dft_bin(x: &[f64], n: usize, k: usize) -> (f64, f64) {
        x.iter().enumerate().fold((0.0, 0.0), |(re, im), (t, v)| {
            let a = -2.0 * PI * (k * t % n) as f64 / n as f64;
            (re + v * a.cos(), im + v * a.sin())
        })
    }

    fn signal(len: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0)
            .collect()
    }

    #[test]
    fn forward_bins_match_the_direct_dft() {
        for &(n, len) in &[(8usize, 8usize), (64, 16), (1024, 256), (4096, 1024)] {
            let x = signal(len);
            let mut f = PackedRealFft::new(n).unwrap();
            let input = f.input_mut();
            input.fill(0.0);
            for (d, &v) in input.iter_mut().zip(&x) {
                *d = v as f32;
            }
            let mut out = vec![Complex32::new(0.0, 0.0); n / 2 + 1];
            f.forward(0, &mut out);
            for (k, c) in out.iter().enumerate() {
                let (re, im) = dft_bin(&x, n, k);
                let tol = 2e-5 * len as f64;
                assert!(
                    (c.re as f64 - re).abs() < tol && (c.im as f64 - im).abs() < tol,
                    "n={n} k={k}: {c} vs {re}+{im}i"
                );
            }
            // A sub-range and the power form give the same bins.
            let input = f.input_mut();
            input.fill(0.0);
            for (d, &v) in input.iter_mut().zip(&x) {
                *d = v as f32;
            }
            let mut power = vec![0.0f32; n / 4];
            f.forward_power(n / 8, &mut power);
            for (j, p) in power.iter().enumerate() {
                let c = out[n / 8 + j];
                assert!((p - (c.re * c.re + c.im * c.im)).abs() <= 1e-5 * p.max(1.0));
            }
        }
    }

    #[test]
    fn inverse_of_a_band_matches_the_direct_sum() {
        // A band below N/4 (the one-product path) and one that meets its mirror (bin by bin).
        for (k0, k1) in [(20usize, 60usize), (20, 70), (1, 128)] {
            inverse_band(k0, k1);
        }
    }

    fn inverse_band(k0: usize, k1: usize) {
        let n = 256;
        let bins: Vec<Complex32> = (k0..k1)
            .map(|k| Complex32::new(((k * 31) % 7) as f32 - 3.0, ((k * 17) % 5) as f32 - 2.0))
            .collect();
        let mut f = PackedRealFft::new(n).unwrap();
        let mut out = vec![0.0f32; n];
        f.inverse(k0, &bins, &mut out);
        for (t, &y) in out.iter().enumerate() {
            // Σ over the Hermitian spectrum: bins k and N − k give 2·Re(X[k]·e^{2πikt/N}).
            let reference: f64 = (k0..k1)
                .map(|k| {
                    let c = bins[k - k0];
                    let a = 2.0 * PI * (k * t) as f64 / n as f64;
                    2.0 * (c.re as f64 * a.cos() - c.im as f64 * a.sin())
                })
                .sum();
            assert!(
                (y as f64 - reference).abs() < 1e-3,
                "t={t}: {y} vs {reference}"
            );
        }
    }

    #[test]
    fn rejects_bad_sizes() {
        assert_eq!(
            PackedRealFft::new(6).err().map(|e| e.code()),
            Some("invalid_option")
        );
        assert!(PackedRealFft::new(2).is_err());
    }
}
