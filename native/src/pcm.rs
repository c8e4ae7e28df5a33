//! Sample conversion between interleaved little-endian WAV bytes and planar `f32` channels, the
//! per-sample loops of audio reading and writing. The rules are the TypeScript codec's
//! (`packages/analysis/src/sample-codec.ts`), bit for bit, checked by shared vectors:
//!
//! - decoding divides integers by 2^(bits−1) in double precision and rounds once to `f32`
//!   (exact for 8/16/24 bits); 8-bit WAV samples are unsigned (offset 128);
//! - encoding scales by 2^(bits−1) in double precision, rounds half up (`Math.round`:
//!   `floor(y + 0.5)`, exact here because `y` carries at most 24 significant bits), clamps to the
//!   integer range and maps NaN to 0; floats are stored as they are.

use crate::errors::NativeError;

/// A WAV sample layout the conversions handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
}

impl Layout {
    /// The layout of `bits`-bit PCM (`float == false`) or IEEE float samples.
    pub fn of(bits: u32, float: bool) -> Result<Layout, NativeError> {
        Ok(match (float, bits) {
            (false, 8) => Layout::Pcm8,
            (false, 16) => Layout::Pcm16,
            (false, 24) => Layout::Pcm24,
            (false, 32) => Layout::Pcm32,
            (true, 32) => Layout::Float32,
            (true, 64) => Layout::Float64,
            _ => {
                return Err(NativeError::UnsupportedFormat(format!(
                    "{}-bit {} samples",
                    bits,
                    if float { "float" } else { "PCM" }
                )))
            }
        })
    }

    /// Bytes per sample.
    pub fn width(self) -> usize {
        match self {
            Layout::Pcm8 => 1,
            Layout::Pcm16 => 2,
            Layout::Pcm24 => 3,
            Layout::Pcm32 | Layout::Float32 => 4,
            Layout::Float64 => 8,
        }
    }
}

#[inline(always)]
fn decode_one(layout: Layout, b: &[u8]) -> f32 {
    match layout {
        Layout::Pcm8 => ((b[0] as f64 - 128.0) / 128.0) as f32,
        Layout::Pcm16 => (i16::from_le_bytes([b[0], b[1]]) as f64 / 32768.0) as f32,
        Layout::Pcm24 => {
            let v = (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f64;
            (v / 8_388_608.0) as f32
        }
        Layout::Pcm32 => {
            (i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 / 2_147_483_648.0) as f32
        }
        Layout::Float32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        Layout::Float64 => {
            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
        }
    }
}

/// Decodes `frames` interleaved frames of `bytes` into `out[c][offset..offset + frames]`.
pub fn decode(
    bytes: &[u8],
    layout: Layout,
    out: &mut [&mut [f32]],
    offset: usize,
    frames: usize,
) -> Result<(), NativeError> {
    let channels = out.len();
    let width = layout.width();
    let frame_bytes = width * channels;
    if channels == 0 {
        return Err(NativeError::InvalidOption("no channels".into()));
    }
    if bytes.len() < frames * frame_bytes {
        return Err(NativeError::InvalidOption(format!(
            "{} bytes hold fewer than {} frames",
            bytes.len(),
            frames
        )));
    }
    if out.iter().any(|c| c.len() < offset + frames) {
        return Err(NativeError::InvalidOption(
            "an output channel is too short".into(),
        ));
    }
    // The two common layouts get loops the compiler can vectorise; the rest share one.
    if layout == Layout::Pcm16 && channels == 2 {
        let (left, rest) = out.split_at_mut(1);
        let left = &mut left[0][offset..offset + frames];
        let right = &mut rest[0][offset..offset + frames];
        for (i, f) in bytes[..frames * 4].chunks_exact(4).enumerate() {
            left[i] = (i16::from_le_bytes([f[0], f[1]]) as f64 / 32768.0) as f32;
            right[i] = (i16::from_le_bytes([f[2], f[3]]) as f64 / 32768.0) as f32;
        }
        return Ok(());
    }
    for (i, frame) in bytes[..frames * frame_bytes]
        .chunks_exact(frame_bytes)
        .enumerate()
    {
        for (c, sample) in frame.chunks_exact(width).enumerate() {
            out[c][offset + i] = decode_one(layout, sample);
        }
    }
    Ok(())
}

#[inline(always)]
fn quantize(x: f32, scale: f64) -> i64 {
    // floor(y + 0.5) as `Math.round`, NaN to 0, clamped to the integer range. Written as selects
    // and min/max so that, compiled for AVX2, the loops vectorise (floor is one instruction).
    let y = x as f64 * scale;
    let y = if y.is_nan() { 0.0 } else { y };
    let q = (y + 0.5).floor().max(-scale).min(scale - 1.0);
    // SAFETY: `q` is an integer-valued, finite double within ±2^31.
    unsafe { q.to_int_unchecked::<i64>() }
}

#[inline(always)]
fn encode16_stereo_generic(left: &[f32], right: &[f32], out: &mut [u8]) {
    for ((f, &l), &r) in out.chunks_exact_mut(4).zip(left).zip(right) {
        let l = (quantize(l, 32768.0) as i16).to_le_bytes();
        let r = (quantize(r, 32768.0) as i16).to_le_bytes();
        f[0] = l[0];
        f[1] = l[1];
        f[2] = r[0];
        f[3] = r[1];
    }
}

crate::simd::avx2_dispatch! {
    fn encode16_stereo(left: &[f32], right: &[f32], out: &mut [u8]) => encode16_stereo_generic;
}

/// Encodes `channels[c][start..start + frames]` as interleaved little-endian samples into `out`.
pub fn encode(
    channels: &[&[f32]],
    start: usize,
    frames: usize,
    layout: Layout,
    out: &mut [u8],
) -> Result<(), NativeError> {
    let n = channels.len();
    let width = layout.width();
    let frame_bytes = width * n;
    if n == 0 {
        return Err(NativeError::InvalidOption("no channels".into()));
    }
    if out.len() < frames * frame_bytes {
        return Err(NativeError::InvalidOption("the output is too short".into()));
    }
    if channels.iter().any(|c| c.len() < start + frames) {
        return Err(NativeError::InvalidOption(
            "an input channel is too short".into(),
        ));
    }
    if layout == Layout::Pcm16 && n == 2 {
        encode16_stereo(
            &channels[0][start..start + frames],
            &channels[1][start..start + frames],
            &mut out[..frames * 4],
        );
        return Ok(());
    }
    for (i, frame) in out[..frames * frame_bytes]
        .chunks_exact_mut(frame_bytes)
        .enumerate()
    {
        for (c, sample) in frame.chunks_exact_mut(width).enumerate() {
            let x = channels[c][start + i];
            match layout {
                Layout::Pcm8 => sample[0] = (quantize(x, 128.0) + 128) as u8,
                Layout::Pcm16 => {
                    sample.copy_from_slice(&(quantize(x, 32768.0) as i16).to_le_bytes())
                }
                Layout::Pcm24 => {
                    let b = (quantize(x, 8_388_608.0) as i32).to_le_bytes();
                    sample.copy_from_slice(&b[..3]);
                }
                Layout::Pcm32 => {
                    sample.copy_from_slice(&(quantize(x, 2_147_483_648.0) as i32).to_le_bytes())
                }
                Layout::Float32 => sample.copy_from_slice(&x.to_le_bytes()),
                Layout::Float64 => sample.copy_from_slice(&(x as f64).to_le_bytes()),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_half_up_and_clamp_like_math_round() {
        assert_eq!(quantize(-0.5 / 32768.0, 32768.0), 0);
        assert_eq!(quantize(0.5 / 32768.0, 32768.0), 1);
        assert_eq!(quantize(-1.5 / 32768.0, 32768.0), -1);
        assert_eq!(quantize(1.0, 32768.0), 32767);
        assert_eq!(quantize(-2.0, 32768.0), -32768);
        assert_eq!(quantize(f32::NAN, 32768.0), 0);
        assert_eq!(quantize(f32::INFINITY, 128.0), 127);
    }

    #[test]
    fn sixteen_bit_round_trip_is_exact() {
        let bytes: Vec<u8> = (0..=65535u32)
            .flat_map(|v| (v as u16).to_le_bytes())
            .collect();
        let frames = bytes.len() / 4;
        let mut l = vec![0f32; frames];
        let mut r = vec![0f32; frames];
        decode(&bytes, Layout::Pcm16, &mut [&mut l, &mut r], 0, frames).unwrap();
        let mut back = vec![0u8; bytes.len()];
        encode(&[&l, &r], 0, frames, Layout::Pcm16, &mut back).unwrap();
        assert_eq!(bytes, back);
    }
}
