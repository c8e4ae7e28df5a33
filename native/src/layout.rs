//! The keyed block layout (docs/watermark.md §3), the native twin of `layout.ts` and
//! `keyed-random.ts`: which cells carry sync and with which sign, which coded bit every data
//! cell carries and its scramble sign, and the whitening bits. Every random choice comes from
//! HMAC-SHA-256(secret, "vaultmark-wm/v{version}/{purpose}/{index}/{counter}") in counter mode,
//! read as big-endian 32-bit words, so both paths derive the same layout bit for bit.

use crate::embedder::{BANDS, BLOCK_FRAMES};
use crate::errors::{check_len, NativeError};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A keyed random stream for one purpose and index.
struct KeyedRandom<'a> {
    mac: &'a HmacSha256,
    prefix: String,
    counter: u64,
    block: [u8; 32],
    pos: usize,
}

impl<'a> KeyedRandom<'a> {
    fn new(mac: &'a HmacSha256, version: u32, purpose: &str, index: u64) -> Self {
        KeyedRandom {
            mac,
            prefix: format!("vaultmark-wm/v{version}/{purpose}/{index}/"),
            counter: 0,
            block: [0; 32],
            pos: 32,
        }
    }

    fn next_u32(&mut self) -> u32 {
        if self.pos + 4 > self.block.len() {
            let mut mac = self.mac.clone();
            mac.update(self.prefix.as_bytes());
            mac.update(self.counter.to_string().as_bytes());
            self.block.copy_from_slice(&mac.finalize().into_bytes());
            self.counter += 1;
            self.pos = 0;
        }
        let b = &self.block[self.pos..self.pos + 4];
        self.pos += 4;
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// Uniform in [0, n) by rejection (no modulo bias).
    fn next_int(&mut self, n: u32) -> u32 {
        let limit = ((1u64 << 32) / n as u64) * n as u64;
        loop {
            let x = self.next_u32();
            if (x as u64) < limit {
                return x % n;
            }
        }
    }

    fn next_bit(&mut self) -> u32 {
        self.next_u32() >> 31
    }

    /// Fisher–Yates, from the last element down.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.next_int(i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Output buffers of [`derive`]: BLOCK_FRAMES × BANDS cells each, and the whitening bits.
pub struct LayoutOut<'a> {
    pub sync_sign: &'a mut [i8],
    pub data_bit: &'a mut [i32],
    pub data_sign: &'a mut [i8],
    pub whitening: &'a mut [u8],
}

/// Derives the layout of `secret` for `payload_bits` (coded length `coded`, `sync_bands` sync
/// cells per frame, format `version`) into `out`.
pub fn derive(
    secret: &[u8],
    version: u32,
    payload_bits: u32,
    coded: u32,
    sync_bands: usize,
    out: LayoutOut<'_>,
) -> Result<(), NativeError> {
    let cells = BLOCK_FRAMES as usize * BANDS;
    check_len("sync signs", out.sync_sign.len(), cells)?;
    check_len("data bits", out.data_bit.len(), cells)?;
    check_len("data signs", out.data_sign.len(), cells)?;
    if secret.len() < 16 || coded == 0 || sync_bands > BANDS {
        return Err(NativeError::InvalidOption(format!(
            "bad layout request: secret of {} bytes, coded length {coded}, {sync_bands} sync bands",
            secret.len()
        )));
    }
    let mac = HmacSha256::new_from_slice(secret)
        .map_err(|e| NativeError::InvalidOption(format!("key: {e}")))?;
    out.sync_sign.fill(0);
    out.data_bit.fill(-1);
    let mut bands = [0usize; BANDS];
    for f in 0..BLOCK_FRAMES as usize {
        for (b, v) in bands.iter_mut().enumerate() {
            *v = b;
        }
        KeyedRandom::new(&mac, version, "sync-bands", f as u64).shuffle(&mut bands);
        let mut signs = KeyedRandom::new(&mac, version, "sync-signs", f as u64);
        for &band in &bands[..sync_bands] {
            out.sync_sign[f * BANDS + band] = if signs.next_bit() == 1 { 1 } else { -1 };
        }
        let mut scramble = KeyedRandom::new(&mac, version, "data-signs", f as u64);
        for b in 0..BANDS {
            out.data_sign[f * BANDS + b] = if scramble.next_bit() == 1 { 1 } else { -1 };
        }
    }
    let mut data_cells: Vec<u32> = (0..cells as u32)
        .filter(|&c| out.sync_sign[c as usize] == 0)
        .collect();
    KeyedRandom::new(&mac, version, "data-order", payload_bits as u64).shuffle(&mut data_cells);
    for (i, &c) in data_cells.iter().enumerate() {
        out.data_bit[c as usize] = (i % coded as usize) as i32;
    }
    let mut white = KeyedRandom::new(&mac, version, "whitening", payload_bits as u64);
    for w in out.whitening.iter_mut() {
        *w = white.next_bit() as u8;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn layout_has_the_promised_shape() {
        let cells = BLOCK_FRAMES as usize * BANDS;
        let (mut s, mut d, mut g, mut w) = (
            vec![0i8; cells],
            vec![0i32; cells],
            vec![0i8; cells],
            vec![0u8; 152],
        );
        let out = LayoutOut {
            sync_sign: &mut s,
            data_bit: &mut d,
            data_sign: &mut g,
            whitening: &mut w,
        };
        derive(&[7u8; 32], 1, 128, 996, 10, out).unwrap();
        for f in 0..BLOCK_FRAMES as usize {
            let row = &s[f * BANDS..(f + 1) * BANDS];
            assert_eq!(row.iter().filter(|&&v| v != 0).count(), 10);
        }
        // Every data cell carries a coded bit, every coded bit is carried evenly often.
        let mut uses = vec![0usize; 996];
        for (c, &bit) in d.iter().enumerate() {
            assert_eq!(bit < 0, s[c] != 0);
            if bit >= 0 {
                uses[bit as usize] += 1;
            }
        }
        let (lo, hi) = (uses.iter().min().unwrap(), uses.iter().max().unwrap());
        assert!(hi - lo <= 1);
        assert!(g.iter().all(|&v| v == 1 || v == -1));
        assert!(w.contains(&1) && w.contains(&0));
    }
}
