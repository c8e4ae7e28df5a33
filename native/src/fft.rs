//! Radix-2 FFT for real input, computed as a half-length complex FFT plus a split step.
//!
//! For real x of length N, pack z[m] = x[2m] + i·x[2m+1] (length N/2), take Z = FFT(z), then
//! X[k] = (Z[k] + conj(Z[N/2-k]))/2 - i·e^{-2πik/N}·(Z[k] - conj(Z[N/2-k]))/2 for k = 0..N/2.
//! (Standard "two-for-one" real FFT, e.g. Press et al., Numerical Recipes §12.3.)

use crate::errors::NativeError;
use std::f64::consts::PI;

/// In-place iterative radix-2 complex FFT on interleaved (re, im) pairs; `n` complex points.
fn complex_forward(data: &mut [f64], n: usize) {
    // Bit-reversal permutation.
    let mut j = 0usize;
    for i in 0..n {
        if i < j {
            data.swap(2 * i, 2 * j);
            data.swap(2 * i + 1, 2 * j + 1);
        }
        let mut bit = n >> 1;
        while bit > 0 && j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
    }
    // Butterflies.
    let mut len = 2;
    while len <= n {
        let angle = -2.0 * PI / len as f64;
        let half = len / 2;
        for start in (0..n).step_by(len) {
            for k in 0..half {
                let (s, c) = (angle * k as f64).sin_cos();
                let a = start + k;
                let b = a + half;
                let (br, bi) = (data[2 * b], data[2 * b + 1]);
                let tr = br * c - bi * s;
                let ti = br * s + bi * c;
                let (ar, ai) = (data[2 * a], data[2 * a + 1]);
                data[2 * b] = ar - tr;
                data[2 * b + 1] = ai - ti;
                data[2 * a] = ar + tr;
                data[2 * a + 1] = ai + ti;
            }
        }
        len <<= 1;
    }
}

/// Forward real FFT: `out` receives N/2+1 complex bins, interleaved.
pub fn real_forward(input: &[f64], out: &mut [f64]) -> Result<(), NativeError> {
    let n = input.len();
    if n < 4 || !n.is_power_of_two() {
        return Err(NativeError::InvalidArgument(format!(
            "input length must be a power of two >= 4, got {n}"
        )));
    }
    if out.len() != n + 2 {
        return Err(NativeError::InvalidArgument(format!(
            "output length must be {} for input length {n}, got {}",
            n + 2,
            out.len()
        )));
    }
    let m = n / 2;
    // Pack into the first n slots of `out` as m complex points, transform in place.
    out[..n].copy_from_slice(input);
    complex_forward(&mut out[..n], m);
    let (z0r, z0i) = (out[0], out[1]);
    // Split step, pairing k with m-k so every bin is computed from untouched inputs.
    for k in 1..=m / 2 {
        let mk = m - k;
        let (zkr, zki) = (out[2 * k], out[2 * k + 1]);
        let (zmr, zmi) = (out[2 * mk], out[2 * mk + 1]);
        let bin = |zr: f64, zi: f64, wr: f64, wi: f64, idx: usize| -> (f64, f64) {
            let (er, ei) = ((zr + wr) / 2.0, (zi - wi) / 2.0);
            let (or, oi) = ((zr - wr) / 2.0, (zi + wi) / 2.0);
            let (s, c) = (-2.0 * PI * idx as f64 / n as f64).sin_cos();
            // X = E - i·w·O with w = e^{-2πi idx/N}.
            let (wor, woi) = (c * or - s * oi, c * oi + s * or);
            (er + woi, ei - wor)
        };
        let (xkr, xki) = bin(zkr, zki, zmr, zmi, k);
        let (xmr, xmi) = bin(zmr, zmi, zkr, zki, mk);
        out[2 * k] = xkr;
        out[2 * k + 1] = xki;
        // For k = m/2 both are the same bin and the values agree.
        out[2 * mk] = xmr;
        out[2 * mk + 1] = xmi;
    }
    out[0] = z0r + z0i;
    out[1] = 0.0;
    out[n] = z0r - z0i;
    out[n + 1] = 0.0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct O(N²) DFT, the independent reference.
    fn dft(input: &[f64]) -> Vec<f64> {
        let n = input.len();
        let mut out = vec![0.0; n + 2];
        for k in 0..=n / 2 {
            let (mut re, mut im) = (0.0, 0.0);
            for (t, x) in input.iter().enumerate() {
                let a = -2.0 * PI * (k * t) as f64 / n as f64;
                re += x * a.cos();
                im += x * a.sin();
            }
            out[2 * k] = re;
            out[2 * k + 1] = im;
        }
        out
    }

    #[test]
    fn matches_the_direct_dft() {
        for &n in &[4usize, 8, 16, 64, 1024] {
            let input: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0)
                .collect();
            let mut out = vec![0.0; n + 2];
            real_forward(&input, &mut out).unwrap();
            let reference = dft(&input);
            for (a, b) in out.iter().zip(reference.iter()) {
                assert!((a - b).abs() < 1e-9 * n as f64, "n={n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn a_cosine_lands_in_its_bin() {
        let n = 256;
        let input: Vec<f64> = (0..n)
            .map(|i| (2.0 * PI * 5.0 * i as f64 / n as f64).cos())
            .collect();
        let mut out = vec![0.0; n + 2];
        real_forward(&input, &mut out).unwrap();
        assert!((out[10] - n as f64 / 2.0).abs() < 1e-9);
        assert!(out[11].abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_lengths() {
        let mut out = vec![0.0; 8];
        assert_eq!(
            real_forward(&[0.0; 6], &mut out).unwrap_err().code(),
            "invalid_argument"
        );
        assert!(real_forward(&[0.0; 8], &mut [0.0; 9]).is_err());
    }
}
