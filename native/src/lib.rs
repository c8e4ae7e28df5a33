//! N-API surface of the native fast path. Only exported functions live here; the logic lives in
//! sibling modules.
#![deny(clippy::all)]

use napi::bindgen_prelude::Float64Array;
use napi_derive::napi;

mod errors;
mod fft;

/// Version of this native module (matches the crate version).
#[napi]
pub fn native_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Forward real FFT of `input` (length `n`, a power of two ≥ 4) into `out` (length `n + 2`):
/// interleaved re/im of bins `0..=n/2`, unnormalized, e^{-2πi kn/N} convention.
#[napi]
pub fn real_fft(input: Float64Array, mut out: Float64Array) -> napi::Result<()> {
    // SAFETY: the caller-owned output buffer is borrowed only for this synchronous call, and the
    // input and output are distinct JavaScript typed arrays (checked by the loader).
    let out = unsafe { out.as_mut() };
    fft::real_forward(&input, out).map_err(errors::to_napi)
}
