//! Double-precision real FFTs of power-of-two sizes through `realfft` (planned once per size,
//! reusable scratch): the sync correlation and the exported `real_fft`. The embedder and the
//! spectrogram use the single-precision `packed_fft`.
//!
//! Conventions match the TypeScript path (fft.js): forward X_k = Σ x_n e^{−2πikn/N}, bins 0..=N/2;
//! the inverse here is unnormalized (the callers divide by N) and takes bins 0..=N/2 of a
//! Hermitian spectrum.

use crate::errors::NativeError;
use realfft::num_complex::Complex64;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// A planned forward and inverse real FFT of one size with its scratch buffers.
pub struct RealFft {
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    scratch: Vec<Complex64>,
}

impl RealFft {
    /// Plans transforms of `size` points (a power of two ≥ 4).
    pub fn new(size: usize) -> Result<Self, NativeError> {
        if size < 4 || !size.is_power_of_two() {
            return Err(NativeError::InvalidOption(format!(
                "FFT size must be a power of two >= 4, got {size}"
            )));
        }
        let mut planner = RealFftPlanner::<f64>::new();
        let forward = planner.plan_fft_forward(size);
        let inverse = planner.plan_fft_inverse(size);
        let len = forward
            .get_scratch_len()
            .max(inverse.get_scratch_len())
            .max(1);
        Ok(RealFft {
            forward,
            inverse,
            scratch: vec![Complex64::new(0.0, 0.0); len],
        })
    }

    /// A zeroed spectrum buffer of N/2 + 1 bins.
    pub fn spectrum(&self) -> Vec<Complex64> {
        self.forward.make_output_vec()
    }

    /// Forward transform; `input` (length N) is used as scratch and left unspecified.
    pub fn forward(&mut self, input: &mut [f64], out: &mut [Complex64]) {
        // Lengths are fixed by construction; the only error realfft reports is a length mismatch.
        self.forward
            .process_with_scratch(input, out, &mut self.scratch)
            .expect("forward FFT buffer lengths");
    }

    /// Unnormalized inverse of bins 0..=N/2 (the imaginary parts of bins 0 and N/2 are ignored,
    /// as for a real signal); `spectrum` is used as scratch.
    pub fn inverse(&mut self, spectrum: &mut [Complex64], out: &mut [f64]) {
        let last = spectrum.len() - 1;
        spectrum[0].im = 0.0;
        spectrum[last].im = 0.0;
        self.inverse
            .process_with_scratch(spectrum, out, &mut self.scratch)
            .expect("inverse FFT buffer lengths");
    }
}

/// Forward real FFT: `out` receives N/2+1 complex bins, interleaved (re, im).
pub fn real_forward(input: &[f64], out: &mut [f64]) -> Result<(), NativeError> {
    let n = input.len();
    let mut fft = RealFft::new(n)?;
    if out.len() != n + 2 {
        return Err(NativeError::InvalidOption(format!(
            "output length must be {} for input length {n}, got {}",
            n + 2,
            out.len()
        )));
    }
    let mut x = input.to_vec();
    let mut spec = fft.spectrum();
    fft.forward(&mut x, &mut spec);
    for (k, c) in spec.iter().enumerate() {
        out[2 * k] = c.re;
        out[2 * k + 1] = c.im;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

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

    fn test_signal(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0)
            .collect()
    }

    #[test]
    fn matches_the_direct_dft() {
        for &n in &[4usize, 8, 16, 64, 1024, 2048] {
            let input = test_signal(n);
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
    fn inverse_undoes_forward_up_to_n() {
        let n = 512;
        let input = test_signal(n);
        let mut fft = RealFft::new(n).unwrap();
        let mut x = input.clone();
        let mut spec = fft.spectrum();
        fft.forward(&mut x, &mut spec);
        let mut back = vec![0.0; n];
        fft.inverse(&mut spec, &mut back);
        for (a, b) in back.iter().zip(input.iter()) {
            assert!((a / n as f64 - b).abs() < 1e-12);
        }
    }

    #[test]
    fn rejects_bad_lengths() {
        let mut out = vec![0.0; 8];
        assert_eq!(
            real_forward(&[0.0; 6], &mut out).unwrap_err().code(),
            "invalid_option"
        );
        assert!(real_forward(&[0.0; 8], &mut [0.0; 9]).is_err());
    }
}
