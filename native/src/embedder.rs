//! The frame embedder (docs/watermark.md §5), the native twin of `frame-embedder.ts`.
//!
//! For frame f with cell signs s_b and band gains δ_b: X = FFT_M(w·x) with the sine window
//! w[n] = sin(π(n + ½)/L), D_k = δ_b·s_b·X_k on the fine bins of band b, d = w · IFFT_M(D)
//! (inverse of the Hermitian extension, i.e. the real part of the inverse of 2·D on positive
//! bins), y = clamp(x + d). Frames are independent, so a run of frames is split across threads;
//! every buffer lives in a per-thread scratch allocated once per run, never per frame.

use crate::errors::NativeError;
use crate::packed_fft::PackedRealFft;
use crate::threads::{pool, run_shared};
use realfft::num_complex::Complex32;
use std::sync::Mutex;

/// Bands per frame (params.ts `BANDS_PER_FRAME`).
pub const BANDS: usize = 52;
/// Frames per block (params.ts `BLOCK_FRAMES`).
pub const BLOCK_FRAMES: i64 = 1024;
const FRAME_SIZE: i64 = 1024;
const REFERENCE_RATE: i64 = 44_100;
/// Exponent of the band gain shape (params.ts `BAND_GAIN_SHAPE`); `band_gains` takes the
/// fourth root directly.
const BAND_GAIN_SHAPE: f64 = 0.25;
const _: () = assert!(BAND_GAIN_SHAPE == 0.25);
const BAND_GAIN_CAP: f64 = 8.0;
const MAX_BAND_GAIN_RATIO: f64 = 2.5;
const MAX_BAND_GAIN: f64 = 0.8;
/// Frames per parallel work item (0.19 s of audio at 44.1 kHz): a 1-s chunk of a stream already
/// splits across two cores.
const FRAMES_PER_TASK: usize = 8;

/// First sample of frame `f` at `rate`: ⌊(f·N·r + R₀/2) / R₀⌋ in exact integer arithmetic.
pub fn frame_start(f: i64, rate: i64) -> i64 {
    (f * FRAME_SIZE * rate + REFERENCE_RATE / 2).div_euclid(REFERENCE_RATE)
}

/// Per-thread buffers of the embedder. The transforms run in single precision: their rounding
/// error (about 1e−7 of the frame's level) stays orders of magnitude below the 16-bit LSB the
/// TypeScript path is matched to, while band energies and gains use `f64`. Only the bins of the
/// marked bands are unpacked from the forward transform and fed to the inverse one.
struct Scratch {
    fft: PackedRealFft,
    /// Bins k0..k1 of the frame's spectrum (k0 = first band's start, k1 = last band's end).
    spectrum: Vec<Complex32>,
    time: Vec<f32>,
    energy: [f64; BANDS],
    gains: [f64; BANDS],
}

/// Watermarks frames in place; immutable after construction, shared by the worker threads.
pub struct FrameEmbedder {
    rate: i64,
    fft_size: usize,
    lo: [usize; BANDS],
    hi: [usize; BANDS],
    /// Bins spanned by the bands: k0 = min lo, k1 = max hi.
    k0: usize,
    k1: usize,
    signs: Vec<i8>,
    delta: f64,
    /// Sine windows of the two frame lengths L and L + 1 that occur at this rate.
    short_len: usize,
    windows32: [Vec<f32>; 2],
    /// The same windows divided by the FFT size (the inverse transform is unnormalized).
    synthesis: [Vec<f32>; 2],
    /// Per-thread buffers, reused across calls (a worker takes one, marks, puts it back).
    scratches: Mutex<Vec<Scratch>>,
}

fn sine_window(length: usize) -> Vec<f64> {
    (0..length)
        .map(|n| (std::f64::consts::PI * (n as f64 + 0.5) / length as f64).sin())
        .collect()
}

impl FrameEmbedder {
    /// `lo`/`hi`: fine-bin range of every band (from `bandRanges` of the TS grid, so both paths
    /// use the same integers); `signs`: BLOCK_FRAMES × BANDS cell signs (±1).
    pub fn new(
        rate: u32,
        fft_size: usize,
        lo: &[i32],
        hi: &[i32],
        signs: &[i8],
        delta: f64,
    ) -> Result<Self, NativeError> {
        if !(8000..=192_000).contains(&rate) {
            return Err(NativeError::UnsupportedFormat(format!(
                "sample rate must be 8000 to 192000 Hz, got {rate}"
            )));
        }
        crate::errors::check_len("band lo", lo.len(), BANDS)?;
        crate::errors::check_len("band hi", hi.len(), BANDS)?;
        crate::errors::check_len("cell signs", signs.len(), BLOCK_FRAMES as usize * BANDS)?;
        if !(delta.is_finite() && delta > 0.0 && delta < 1.0) {
            return Err(NativeError::InvalidOption(format!(
                "band gain must be in (0, 1), got {delta}"
            )));
        }
        let rate = rate as i64;
        let short_len = (FRAME_SIZE * rate / REFERENCE_RATE) as usize;
        if fft_size < short_len + 1 {
            return Err(NativeError::InvalidOption(format!(
                "FFT size {fft_size} is too small for frames of {short_len} samples"
            )));
        }
        let mut l = [0usize; BANDS];
        let mut h = [0usize; BANDS];
        for b in 0..BANDS {
            if lo[b] < 1 || hi[b] < lo[b] || hi[b] as usize > fft_size / 2 {
                return Err(NativeError::InvalidOption(format!(
                    "band {b} range {}..{} is outside 1..={}",
                    lo[b],
                    hi[b],
                    fft_size / 2
                )));
            }
            l[b] = lo[b] as usize;
            h[b] = hi[b] as usize;
        }
        let k0 = *l.iter().min().expect("bands");
        let k1 = (*h.iter().max().expect("bands"))
            .max(k0 + 1)
            .min(fft_size / 2);
        let scratch = Scratch::new(fft_size, k1 - k0)?;
        Ok(FrameEmbedder {
            rate,
            fft_size,
            lo: l,
            hi: h,
            k0,
            k1,
            signs: signs.to_vec(),
            delta,
            short_len,
            windows32: [short_len, short_len + 1]
                .map(|l| sine_window(l).iter().map(|&w| w as f32).collect()),
            synthesis: [short_len, short_len + 1].map(|l| {
                sine_window(l)
                    .iter()
                    .map(|&w| (w / fft_size as f64) as f32)
                    .collect()
            }),
            scratches: Mutex::new(vec![scratch]),
        })
    }

    /// Number of complete frames, starting with frame `first`, in `len` samples that begin at
    /// the first sample of frame `first`.
    fn complete_frames(&self, first: i64, len: usize) -> usize {
        let base = frame_start(first, self.rate);
        let approx = (len as i64 * REFERENCE_RATE / (FRAME_SIZE * self.rate)).max(0);
        let mut n = approx;
        while n > 0 && frame_start(first + n, self.rate) - base > len as i64 {
            n -= 1;
        }
        while frame_start(first + n + 1, self.rate) - base <= len as i64 {
            n += 1;
        }
        n as usize
    }

    /// Marks in place every complete frame of `samples`, whose first sample is the first sample
    /// of frame `first`; returns the number of samples those frames cover.
    /// (One channel: the tests' form of [`Self::process_channels`].)
    #[cfg(test)]
    pub fn process_run(&self, first: i64, samples: &mut [f32]) -> Result<usize, NativeError> {
        self.process_channels(first, &mut [samples])
    }

    /// Marks in place every complete frame of every channel of one stretch of audio (all of the
    /// same length, starting at the first sample of frame `first`) in one parallel pass, so the
    /// threads share the frames of all channels; returns the samples those frames cover.
    pub fn process_channels(
        &self,
        first: i64,
        channels: &mut [&mut [f32]],
    ) -> Result<usize, NativeError> {
        if first < 0 {
            return Err(NativeError::InvalidOption(format!(
                "frame index must be >= 0, got {first}"
            )));
        }
        let len = channels.first().map_or(0, |c| c.len());
        if channels.iter().any(|c| c.len() != len) {
            return Err(NativeError::InvalidOption(
                "every channel must have the same length".into(),
            ));
        }
        let frames = self.complete_frames(first, len);
        let base = frame_start(first, self.rate);
        let covered = (frame_start(first + frames as i64, self.rate) - base) as usize;
        if frames * channels.len() < 2 * FRAMES_PER_TASK || pool().current_num_threads() < 2 {
            let mut scratch = self.take_scratch()?;
            for samples in channels.iter_mut() {
                self.mark_frames(&mut scratch, first, frames, &mut samples[..covered]);
            }
            self.put_scratch(scratch);
            return Ok(covered);
        }
        // Split every channel at frame boundaries into tasks of FRAMES_PER_TASK frames; the
        // calling thread and the pool's workers share the tasks of all channels.
        let mut tasks: Vec<(i64, usize, Mutex<&mut [f32]>)> = Vec::new();
        for samples in channels.iter_mut() {
            let mut rest = &mut samples[..covered];
            let mut f = first;
            while f < first + frames as i64 {
                let count = FRAMES_PER_TASK.min((first + frames as i64 - f) as usize);
                let len =
                    (frame_start(f + count as i64, self.rate) - frame_start(f, self.rate)) as usize;
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
                tasks.push((f, count, Mutex::new(head)));
                rest = tail;
                f += count as i64;
            }
        }
        // Buffers for every thread that may join, made before the tasks run (so no task fails).
        for _ in self.scratch_count()..pool().current_num_threads() + 1 {
            self.put_scratch(Scratch::new(self.fft_size, self.k1 - self.k0)?);
        }
        run_shared(tasks.len(), |i| {
            let (f, count, slice) = &tasks[i];
            // Each task is run once, so its lock is never contended.
            let mut slice = slice.lock().unwrap_or_else(|e| e.into_inner());
            let mut scratch = self.take_scratch_ready();
            self.mark_frames(&mut scratch, *f, *count, &mut slice);
            self.put_scratch(scratch);
        });
        Ok(covered)
    }

    fn take_scratch(&self) -> Result<Scratch, NativeError> {
        let cached = self
            .scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        match cached {
            Some(s) => Ok(s),
            None => Scratch::new(self.fft_size, self.k1 - self.k0),
        }
    }

    /// Buffers waiting in the pool.
    fn scratch_count(&self) -> usize {
        self.scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Buffers from the pool, which `process_channels` filled for every thread beforehand.
    fn take_scratch_ready(&self) -> Scratch {
        self.scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .expect("a buffer for every thread")
    }

    fn put_scratch(&self, scratch: Scratch) {
        self.scratches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scratch);
    }

    /// Marks `count` frames from frame `first`; `slice` starts at frame `first`'s first sample.
    fn mark_frames(&self, scratch: &mut Scratch, first: i64, count: usize, slice: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if crate::simd::has_avx2_fma() {
                // SAFETY: the CPU supports the features the function is compiled for.
                return unsafe { self.mark_frames_avx2(scratch, first, count, slice) };
            }
        }
        self.mark_frames_generic(scratch, first, count, slice)
    }

    /// [`Self::mark_frames`] with the per-sample and per-bin loops vectorized for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mark_frames_avx2(
        &self,
        scratch: &mut Scratch,
        first: i64,
        count: usize,
        slice: &mut [f32],
    ) {
        self.mark_frames_generic(scratch, first, count, slice)
    }

    #[inline(always)]
    fn mark_frames_generic(
        &self,
        scratch: &mut Scratch,
        first: i64,
        count: usize,
        slice: &mut [f32],
    ) {
        let base = frame_start(first, self.rate);
        for i in 0..count as i64 {
            let f = first + i;
            let s = (frame_start(f, self.rate) - base) as usize;
            let e = (frame_start(f + 1, self.rate) - base) as usize;
            self.mark_frame(scratch, f, &mut slice[s..e]);
        }
    }

    /// Per-band relative gains δ_b (docs/watermark.md §5 step 3) from the frame's spectrum.
    #[inline(always)]
    fn band_gains(&self, scratch: &mut Scratch) {
        let mut log_sum = 0.0;
        let mut count = 0usize;
        let mut total = 0.0;
        for b in 0..BANDS {
            let mut e = 0.0;
            for c in &scratch.spectrum[self.lo[b] - self.k0..self.hi[b] - self.k0] {
                let (re, im) = (c.re as f64, c.im as f64);
                e += re * re + im * im;
            }
            scratch.energy[b] = e;
            total += e;
            if e > 0.0 {
                log_sum += e.ln();
                count += 1;
            }
        }
        if count == 0 || total <= 0.0 {
            scratch.gains = [self.delta; BANDS];
            return;
        }
        let mean = (log_sum / count as f64).exp();
        let mut weighted = 0.0;
        for b in 0..BANDS {
            let e = scratch.energy[b];
            let f = if e > 0.0 {
                // (e / mean)^(−1/4) by two square roots (BAND_GAIN_SHAPE = 1/4): several times
                // faster than powf, and as exact.
                BAND_GAIN_CAP.min((mean / e).sqrt().sqrt())
            } else {
                0.0
            };
            scratch.gains[b] = f;
            weighted += f * f * e;
        }
        let scale = self.delta * (total / weighted).sqrt();
        let cap = MAX_BAND_GAIN.min(MAX_BAND_GAIN_RATIO * self.delta);
        for g in scratch.gains.iter_mut() {
            *g = cap.min(*g * scale);
        }
    }

    #[inline(always)]
    fn mark_frame(&self, scratch: &mut Scratch, f: i64, frame: &mut [f32]) {
        let length = frame.len();
        let which = if length == self.short_len { 0 } else { 1 };
        debug_assert_eq!(self.windows32[which].len(), length);
        let input = scratch.fft.input_mut();
        for ((x, &v), &wn) in input
            .iter_mut()
            .zip(frame.iter())
            .zip(self.windows32[which].iter())
        {
            *x = v * wn;
        }
        input[length..].fill(0.0);
        scratch.fft.forward(self.k0, &mut scratch.spectrum);
        self.band_gains(scratch);
        let cell = (f.rem_euclid(BLOCK_FRAMES) as usize) * BANDS;
        // Keep only the marked bins, scaled: D_k = δ_b·s_b·X_k (bins between bands, if any, are
        // cleared).
        let mut k = self.k0;
        for b in 0..BANDS {
            let (lo, hi) = (self.lo[b] - self.k0, self.hi[b] - self.k0);
            if self.lo[b] > k {
                scratch.spectrum[k - self.k0..lo].fill(Complex32::new(0.0, 0.0));
            }
            let g = (scratch.gains[b] * self.signs[cell + b] as f64) as f32;
            for c in &mut scratch.spectrum[lo..hi] {
                *c *= g;
            }
            k = self.hi[b].max(k);
        }
        let Scratch {
            fft,
            spectrum,
            time,
            ..
        } = scratch;
        fft.inverse(self.k0, spectrum, &mut time[..length]);
        // y = clamp(x + w·d/N) in single precision (rounding ≤ 1e−7, far below the 16-bit LSB);
        // a sample already outside [−1, 1] passes unchanged.
        for ((y, &t), &wn) in frame
            .iter_mut()
            .zip(time.iter())
            .zip(self.synthesis[which].iter())
        {
            let v = *y;
            if (-1.0..=1.0).contains(&v) {
                *y = (v + t * wn).clamp(-1.0, 1.0);
            }
        }
    }
}

impl Scratch {
    fn new(size: usize, bins: usize) -> Result<Self, NativeError> {
        Ok(Scratch {
            fft: PackedRealFft::new(size)?,
            spectrum: vec![Complex32::new(0.0, 0.0); bins],
            time: vec![0.0; size],
            energy: [0.0; BANDS],
            gains: [0.0; BANDS],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(rate: f64, size: usize) -> (Vec<i32>, Vec<i32>) {
        let bin_hz = 44_100.0 / 1024.0;
        let fine = rate / size as f64;
        let max = (size / 2) as i32;
        let mut lo = vec![];
        let mut hi = vec![];
        for b in 0..BANDS {
            let f0 = (24.0 + 4.0 * b as f64 - 0.5) * bin_hz;
            let f1 = (24.0 + 4.0 * (b + 1) as f64 - 0.5) * bin_hz;
            let l = max.min((f0 / fine).ceil() as i32);
            lo.push(l);
            hi.push(l.max(max.min((f1 / fine).ceil() as i32)));
        }
        (lo, hi)
    }

    fn signs() -> Vec<i8> {
        (0..1024 * BANDS)
            .map(|i| {
                if (i * 2_654_435_761usize) >> 7 & 1 == 0 {
                    1
                } else {
                    -1
                }
            })
            .collect()
    }

    fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s as f64 / u32::MAX as f64 - 0.5) as f32 * 0.5
            })
            .collect()
    }

    #[test]
    fn frame_starts_follow_the_grid() {
        assert_eq!(frame_start(1, 44_100), 1024);
        assert_eq!(frame_start(1, 48_000), 1115);
        assert_eq!(frame_start(2, 48_000), 2229);
    }

    #[test]
    fn a_band_moves_by_the_gain_and_the_rest_stays() {
        // One frame of a sine in band 10's centre: the mark scales that band's component by
        // (1 ± δ_b) at the frame centre, where the window is 1.
        let (lo, hi) = ranges(44_100.0, 4096);
        let centre_hz = (24.0 + 4.0 * 10.0 + 1.5) * 44_100.0 / 1024.0;
        let x: Vec<f32> = (0..1024)
            .map(|n| {
                (0.25 * (2.0 * std::f64::consts::PI * centre_hz * n as f64 / 44_100.0).sin()) as f32
            })
            .collect();
        let e = FrameEmbedder::new(44_100, 4096, &lo, &hi, &signs(), 0.1).unwrap();
        let mut y = x.clone();
        assert_eq!(e.process_run(0, &mut y).unwrap(), 1024);
        let d: f64 = y
            .iter()
            .zip(&x)
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum();
        let s: f64 = x.iter().map(|a| (*a as f64).powi(2)).sum();
        // A lone band gets the capped gain min(0.8, 2.5δ) = 0.25, tapered by the squared window:
        // the change's energy is a few percent of the frame's.
        assert!(d / s > 0.001 && d / s < 0.1, "ratio {}", d / s);
    }

    #[test]
    fn parallel_and_sequential_runs_agree_and_stay_in_range() {
        let (lo, hi) = ranges(48_000.0, 8192);
        let x = noise(48_000 * 3 + 77, 9);
        let e = FrameEmbedder::new(48_000, 8192, &lo, &hi, &signs(), 0.16).unwrap();
        let mut whole = x.clone();
        let covered = e.process_run(0, &mut whole).unwrap();
        assert_eq!(covered as i64, frame_start(129, 48_000));
        let mut pieces = x.clone();
        let mut f = 0i64;
        while frame_start(f + 1, 48_000) <= pieces.len() as i64 {
            let s = frame_start(f, 48_000) as usize;
            let t = frame_start(f + 1, 48_000) as usize;
            e.process_run(f, &mut pieces[s..t]).unwrap();
            f += 1;
        }
        assert_eq!(whole, pieces);
        assert!(whole.iter().all(|v| v.abs() <= 1.0));
        assert_eq!(whole[covered..], x[covered..]);
    }

    #[test]
    fn channels_marked_together_equal_channels_marked_alone() {
        let (lo, hi) = ranges(44_100.0, 4096);
        let e = FrameEmbedder::new(44_100, 4096, &lo, &hi, &signs(), 0.1).unwrap();
        let left = noise(44_100 + 300, 5);
        let right = noise(44_100 + 300, 6);
        let (mut a, mut b) = (left.clone(), right.clone());
        let covered = e.process_channels(3, &mut [&mut a, &mut b]).unwrap();
        let (mut a1, mut b1) = (left.clone(), right.clone());
        assert_eq!(e.process_run(3, &mut a1).unwrap(), covered);
        assert_eq!(e.process_run(3, &mut b1).unwrap(), covered);
        assert_eq!((a, b), (a1, b1));
        let mut short = vec![0.0f32; 100];
        let mut c = left.clone();
        let err = e.process_channels(0, &mut [&mut c, &mut short]).err();
        assert_eq!(err.map(|e| e.code()), Some("invalid_option"));
    }

    #[test]
    fn rejects_bad_arguments() {
        let (lo, hi) = ranges(44_100.0, 2048);
        let err = FrameEmbedder::new(44_100, 2048, &lo[..3], &hi, &signs(), 0.1).err();
        assert_eq!(err.map(|e| e.code()), Some("invalid_option"));
        let err = FrameEmbedder::new(4_000, 2048, &lo, &hi, &signs(), 0.1).err();
        assert_eq!(err.map(|e| e.code()), Some("unsupported_format"));
    }
}
