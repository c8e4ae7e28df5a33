//! N-API surface of the native fast path. Only exported functions and classes live here; the
//! logic lives in sibling modules. Every buffer is a caller-owned typed array borrowed for the
//! duration of a synchronous call.
#![deny(clippy::all)]

use napi::bindgen_prelude::{
    Float32Array, Float32ArraySlice, Float64ArraySlice, Int32ArraySlice, Int8ArraySlice,
    Uint8ArraySlice,
};
use napi_derive::napi;

mod analysis;
mod band_cache;
mod coarse;
mod embedder;
mod errors;
mod fft;
mod layout;
mod packed_fft;
mod pcm;
mod simd;
mod sync;
mod threads;
mod viterbi;

use errors::{check_len, to_napi};

/// The caller-owned output array of a synchronous call as a mutable slice.
///
/// SAFETY (of the `as_mut` inside): the JavaScript thread is blocked for the whole call, so
/// nothing else touches the array, and the TypeScript backend never passes the same array as
/// an input and an output of one call.
fn borrow_mut<T: AsMutSlice>(array: &mut T) -> &mut [T::Item] {
    array.slice_mut()
}

/// Typed-array views that can lend their contents mutably.
trait AsMutSlice {
    type Item;
    fn slice_mut(&mut self) -> &mut [Self::Item];
}

macro_rules! as_mut_slice {
    ($slice:ty, $item:ty) => {
        impl AsMutSlice for $slice {
            type Item = $item;
            fn slice_mut(&mut self) -> &mut [$item] {
                // SAFETY: see `borrow_mut`.
                unsafe { self.as_mut() }
            }
        }
    };
}
as_mut_slice!(Float32ArraySlice<'_>, f32);
as_mut_slice!(Float64ArraySlice<'_>, f64);
as_mut_slice!(Uint8ArraySlice<'_>, u8);
as_mut_slice!(Int8ArraySlice<'_>, i8);
as_mut_slice!(Int32ArraySlice<'_>, i32);

/// Version of this native module (matches the crate version).
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Forward real FFT of `input` (length `n`, a power of two ≥ 4) into `out` (length `n + 2`):
/// interleaved re/im of bins `0..=n/2`, unnormalized, e^{-2πi kn/N} convention.
#[napi]
pub fn real_fft(input: &[f64], mut out: Float64ArraySlice) -> napi::Result<()> {
    fft::real_forward(input, borrow_mut(&mut out)).map_err(to_napi)
}

/// Derives the keyed block layout of `secret` (format `version`, `payload_bits`, coded length
/// `coded_length`, `sync_bands` sync cells per frame) into the caller's arrays: per cell the sync
/// sign, the coded bit (−1 for sync cells) and the scramble sign, and the whitening bits.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn derive_layout(
    secret: &[u8],
    version: u32,
    payload_bits: u32,
    coded_length: u32,
    sync_bands: u32,
    mut sync_sign: Int8ArraySlice,
    mut data_bit: Int32ArraySlice,
    mut data_sign: Int8ArraySlice,
    mut whitening: Uint8ArraySlice,
) -> napi::Result<()> {
    layout::derive(
        secret,
        version,
        payload_bits,
        coded_length,
        sync_bands as usize,
        layout::LayoutOut {
            sync_sign: borrow_mut(&mut sync_sign),
            data_bit: borrow_mut(&mut data_bit),
            data_sign: borrow_mut(&mut data_sign),
            whitening: borrow_mut(&mut whitening),
        },
    )
    .map_err(to_napi)
}

/// Sets the number of worker threads of the parallel loops (0 = `VAULTMARK_THREADS` or the
/// machine's parallelism); returns the number in use.
#[napi]
pub fn set_threads(threads: u32) -> u32 {
    threads::set_threads(threads as usize) as u32
}

/// Number of worker threads of the parallel loops.
#[napi]
pub fn thread_count() -> u32 {
    threads::threads() as u32
}

/// The frame embedder of one key, payload and strength at one sample rate.
#[napi]
pub struct NativeFrameEmbedder {
    inner: embedder::FrameEmbedder,
}

#[napi]
impl NativeFrameEmbedder {
    /// `lo`/`hi`: fine-bin range of each of the 52 bands; `signs`: 1024 × 52 cell signs (±1);
    /// `delta`: nominal relative band gain (strength / 100).
    #[napi(constructor)]
    pub fn new(
        sample_rate: u32,
        fft_size: u32,
        lo: &[i32],
        hi: &[i32],
        signs: &[i8],
        delta: f64,
    ) -> napi::Result<Self> {
        embedder::FrameEmbedder::new(sample_rate, fft_size as usize, lo, hi, signs, delta)
            .map(|inner| NativeFrameEmbedder { inner })
            .map_err(to_napi)
    }

    /// Marks in place every complete frame of each channel of one stretch of audio (equal
    /// lengths, starting at the first sample of frame `first_frame`); returns how many samples
    /// those frames cover. The frames of all channels are shared out to the threads in one pass.
    #[napi]
    pub fn process_channels(
        &mut self,
        first_frame: i64,
        mut channels: Vec<Float32Array>,
    ) -> napi::Result<u32> {
        // SAFETY: as in `borrow_mut`; the TypeScript backend passes distinct arrays (one per
        // channel, never views of one buffer that overlap).
        let mut slices: Vec<&mut [f32]> =
            channels.iter_mut().map(|c| unsafe { c.as_mut() }).collect();
        self.inner
            .process_channels(first_frame, &mut slices)
            .map(|n| n as u32)
            .map_err(to_napi)
    }
}

/// Dense-spectrogram analysis and frame-grid folding of the detector.
#[napi]
pub struct NativeBandAnalyzer {
    inner: analysis::Analyzer,
    scratch: analysis::FoldScratch,
}

#[napi]
impl NativeBandAnalyzer {
    /// Geometry as computed by the TypeScript `BandAnalyzer`.
    #[napi(constructor)]
    pub fn new(
        window_length: u32,
        hop: u32,
        fft_size: u32,
        first_bin: u32,
        bin_count: u32,
    ) -> napi::Result<Self> {
        let inner = analysis::Analyzer::new(
            window_length as usize,
            hop as usize,
            fft_size as usize,
            first_bin as usize,
            bin_count as usize,
        )
        .map_err(to_napi)?;
        let scratch = inner.fold_scratch();
        Ok(NativeBandAnalyzer { inner, scratch })
    }

    /// Rows of the dense spectrogram of `length` samples.
    #[napi]
    pub fn rows(&self, length: u32) -> u32 {
        self.inner.rows(length as usize) as u32
    }

    /// Dense spectrogram of `signal` into `power` (rows × bins) from row `first_row` on (the
    /// rows before it are kept: carried over from an overlapping window), rows in parallel.
    #[napi]
    pub fn spectrogram(
        &self,
        signal: &[f32],
        mut power: Float32ArraySlice,
        first_row: u32,
    ) -> napi::Result<u32> {
        self.inner
            .spectrogram(signal, borrow_mut(&mut power), first_row as usize)
            .map(|r| r as u32)
            .map_err(to_napi)
    }

    /// Folds detection values of frames [from, to) of the grid `grid` = [origin, step, phase,
    /// from, to] into `folded` (1024 × 52), from the spectrogram or, when `exact`, from exact
    /// frames of `signal`. `spectrogram`: the caller's id of `power` (log band powers of its
    /// rows are kept per band map while the id stays the same; the rows must not change).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn fold(
        &mut self,
        spectrogram: u32,
        signal: &[f32],
        power: &[f32],
        rows: u32,
        grid: &[f64],
        lo: &[i32],
        hi: &[i32],
        exact: bool,
        mut folded: Float32ArraySlice,
    ) -> napi::Result<()> {
        check_len("grid", grid.len(), 5).map_err(to_napi)?;
        check_len("band lo", lo.len(), embedder::BANDS).map_err(to_napi)?;
        check_len("band hi", hi.len(), embedder::BANDS).map_err(to_napi)?;
        let folded = borrow_mut(&mut folded);
        check_len("folded", folded.len(), 1024 * embedder::BANDS).map_err(to_napi)?;
        let bins = self.inner.bin_count() as i32;
        if lo.iter().zip(hi).any(|(&l, &h)| l < 0 || h < l || h > bins)
            || power.len() < rows as usize * bins as usize
        {
            return Err(to_napi(errors::NativeError::InvalidOption(
                "band map or spectrogram does not match the analyzer".into(),
            )));
        }
        let g = analysis::Grid {
            origin: grid[0],
            step: grid[1],
            phase: grid[2] as i64,
        };
        self.inner.cached_fold(
            &mut self.scratch,
            spectrogram,
            signal,
            power,
            rows as usize,
            g,
            (grid[3] as i64, grid[4] as i64),
            (lo, hi),
            exact,
            folded,
        );
        Ok(())
    }

    /// Frees the memory kept between calls (cached band powers of the last spectrogram, FFT and
    /// fold buffers; several MB for a 60-s window). The analyzer stays usable. Called when a
    /// detection ends: the garbage collector does not see native memory, so analyzers of finished
    /// detections could otherwise pile up in a synchronous loop of detections.
    #[napi]
    pub fn release(&mut self) {
        self.inner.release();
        self.scratch = self.inner.fold_scratch();
    }

    /// Coarse search scores of many grids at once (in parallel): `grids` holds [origin, step,
    /// frames] per grid, `maps` 52 band starts then 52 band ends per grid; `out` receives
    /// [best phase, z] per grid. `spectrogram`: the caller's id of `power`, as for `fold`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn coarse(
        &self,
        spectrogram: u32,
        power: &[f32],
        rows: u32,
        grids: &[f64],
        maps: &[i32],
        sync: &NativeSyncCorrelator,
        mut out: Float64ArraySlice,
    ) -> napi::Result<()> {
        coarse::coarse(
            &self.inner,
            Some(spectrogram),
            power,
            rows as usize,
            grids,
            maps,
            &sync.inner,
            borrow_mut(&mut out),
        )
        .map_err(to_napi)
    }
}

/// Block-phase correlation with one key's sync pattern.
#[napi]
pub struct NativeSyncCorrelator {
    inner: sync::SyncCorrelator,
    scratch: sync::CorrScratch,
}

#[napi]
impl NativeSyncCorrelator {
    /// `sync_sign`: 1024 × 52 cells, ±1 for sync cells, 0 for data cells.
    #[napi(constructor)]
    pub fn new(sync_sign: &[i8]) -> napi::Result<Self> {
        let inner = sync::SyncCorrelator::new(sync_sign).map_err(to_napi)?;
        Ok(NativeSyncCorrelator {
            inner,
            scratch: sync::CorrScratch::new(),
        })
    }

    /// Best phase of `folded` (1024 × 52) into `out[0]` and its approximate z into `out[1]`.
    #[napi]
    pub fn best(&mut self, folded: &[f32], mut out: Float64ArraySlice) -> napi::Result<()> {
        check_len("folded", folded.len(), 1024 * embedder::BANDS).map_err(to_napi)?;
        let out = borrow_mut(&mut out);
        check_len("out", out.len(), 2).map_err(to_napi)?;
        let (phase, z) = self.inner.best(&mut self.scratch, folded);
        out[0] = phase as f64;
        out[1] = z;
        Ok(())
    }
}

/// Soft-decision Viterbi decoder of a terminated convolutional code.
#[napi]
pub struct NativeViterbi {
    inner: viterbi::Viterbi,
}

#[napi]
impl NativeViterbi {
    /// Constraint length K and the generator polynomials.
    #[napi(constructor)]
    pub fn new(constraint: u32, generators: &[u32]) -> napi::Result<Self> {
        viterbi::Viterbi::new(constraint, generators)
            .map(|inner| NativeViterbi { inner })
            .map_err(to_napi)
    }

    /// Decodes `soft` (rate × `out.length` values) into `out` (one bit per byte).
    #[napi]
    pub fn decode(&mut self, soft: &[f64], mut out: Uint8ArraySlice) -> napi::Result<()> {
        self.inner
            .decode(soft, borrow_mut(&mut out))
            .map_err(to_napi)
    }
}

/// Decodes `frames` interleaved little-endian WAV frames of `bytes` (`bits`-bit PCM, or IEEE float
/// when `float`) into the planar `channels` at `offset`, exactly as the TypeScript sample codec.
#[napi]
pub fn pcm_decode(
    bytes: &[u8],
    bits: u32,
    float: bool,
    mut channels: Vec<Float32Array>,
    offset: u32,
    frames: u32,
) -> napi::Result<()> {
    let layout = pcm::Layout::of(bits, float).map_err(to_napi)?;
    // SAFETY: as in `borrow_mut`; the reader passes one distinct array per channel.
    let mut slices: Vec<&mut [f32]> = channels.iter_mut().map(|c| unsafe { c.as_mut() }).collect();
    pcm::decode(bytes, layout, &mut slices, offset as usize, frames as usize).map_err(to_napi)
}

/// Encodes `channels[c][start..start + frames]` as interleaved little-endian WAV samples into
/// `out`, exactly as the TypeScript sample codec (round half up, clamp, NaN to 0).
#[napi]
pub fn pcm_encode(
    channels: Vec<Float32Array>,
    start: u32,
    frames: u32,
    bits: u32,
    float: bool,
    mut out: Uint8ArraySlice,
) -> napi::Result<()> {
    let layout = pcm::Layout::of(bits, float).map_err(to_napi)?;
    let slices: Vec<&[f32]> = channels.iter().map(|c| c.as_ref()).collect();
    pcm::encode(
        &slices,
        start as usize,
        frames as usize,
        layout,
        borrow_mut(&mut out),
    )
    .map_err(to_napi)
}
