//! Soft-decision Viterbi decoder of the format's terminated convolutional code (docs/watermark.md
//! §4), the native twin of `ConvolutionalCode.decode` with the same add-compare-select order, so
//! both paths break ties alike.

use crate::errors::NativeError;
use crate::simd::avx2_dispatch;

/// A rate-1/n code of constraint length K with its trellis tables and decoder buffers.
pub struct Viterbi {
    constraint: u32,
    rate: usize,
    /// Output bits of transition (state << 1 | bit), packed (the tables below derive from it;
    /// the test encoder reads it).
    #[cfg_attr(not(test), allow(dead_code))]
    pattern: Vec<u8>,
    decisions: Vec<u8>,
    metric: Vec<f64>,
    next: Vec<f64>,
    branch: Vec<f64>,
    /// Output pattern of the transition (2p, bit 0) for every butterfly p.
    butterfly: Vec<u8>,
    /// Patterns XORed on by the odd state of a butterfly and by the input bit 1.
    odd: u8,
    top: u8,
    /// Branch metrics by butterfly pattern, for (even, 0), (odd, 0), (even, 1), (odd, 1).
    tables: [Vec<f64>; 4],
}

impl Viterbi {
    /// `generators`: n ≤ 8 generator polynomials over K ≤ 20 bits.
    pub fn new(constraint: u32, generators: &[u32]) -> Result<Self, NativeError> {
        if !(2..=20).contains(&constraint) || generators.is_empty() || generators.len() > 8 {
            return Err(NativeError::InvalidOption(format!(
                "unsupported code: K = {constraint}, {} generators",
                generators.len()
            )));
        }
        let states = 1usize << (constraint - 1);
        let mut pattern = vec![0u8; 2 * states];
        for s in 0..states {
            for b in 0..2usize {
                let reg = ((b << (constraint - 1)) | s) as u32;
                let mut p = 0u8;
                for (g, &gen) in generators.iter().enumerate() {
                    p |= (((reg & gen).count_ones() & 1) as u8) << g;
                }
                pattern[(s << 1) | b] = p;
            }
        }
        let butterfly = (0..states / 2).map(|p| pattern[(2 * p) << 1]).collect();
        let (odd, top) = (pattern[1 << 1], pattern[1]);
        let patterns = 1usize << generators.len();
        // Tables of 256 entries whatever the rate, so a pattern byte always indexes inside.
        let table_len = 256;
        Ok(Viterbi {
            constraint,
            rate: generators.len(),
            pattern,
            decisions: Vec::new(),
            metric: vec![0.0; states],
            next: vec![0.0; states],
            branch: vec![0.0; patterns],
            butterfly,
            odd,
            top,
            tables: std::array::from_fn(|_| vec![0.0; table_len]),
        })
    }

    /// Decodes `soft` (> 0 favours coded bit 1) into `info_length` bits written to `out`;
    /// the trellis starts and ends in state 0.
    pub fn decode(&mut self, soft: &[f64], out: &mut [u8]) -> Result<(), NativeError> {
        let info_length = out.len();
        let n = self.rate;
        if soft.len() < info_length * n {
            return Err(NativeError::InvalidOption(format!(
                "{} soft values cannot hold {info_length} steps of rate 1/{n}",
                soft.len()
            )));
        }
        let states = self.metric.len();
        let shift = self.constraint - 2;
        if self.decisions.len() < info_length * states {
            self.decisions.resize(info_length * states, 0);
        }
        self.metric.fill(f64::NEG_INFINITY);
        self.metric[0] = 0.0;
        for i in 0..info_length {
            let sv = &soft[i * n..(i + 1) * n];
            for (pattern, m) in self.branch.iter_mut().enumerate() {
                let mut acc = 0.0;
                for (g, &v) in sv.iter().enumerate() {
                    acc += if (pattern >> g) & 1 == 1 { v } else { -v };
                }
                *m = acc;
            }
            // The four branch metrics of butterfly p, indexed by the pattern of (2p, bit 0):
            // the code is linear, so the other three patterns are that one XOR a constant.
            for (x, table) in [0, self.odd, self.top, self.odd ^ self.top]
                .iter()
                .zip(self.tables.iter_mut())
            {
                for (q, t) in table.iter_mut().take(self.branch.len()).enumerate() {
                    *t = self.branch[q ^ *x as usize];
                }
            }
            let row = &mut self.decisions[i * states..(i + 1) * states];
            acs(
                &self.metric,
                &mut self.next,
                row,
                &self.butterfly,
                &self.tables,
            );
            std::mem::swap(&mut self.metric, &mut self.next);
        }
        let mut state = 0usize;
        for i in (0..info_length).rev() {
            out[i] = ((state >> shift) & 1) as u8;
            let low = self.decisions[i * states + state] as usize;
            state = ((state << 1) & (states - 1)) | low;
        }
        Ok(())
    }

    /// Encodes `info` (callers append K − 1 zero bits) into `out` (n bits per input bit).
    #[cfg(test)]
    fn encode(&self, info: &[u8]) -> Vec<u8> {
        let mut state = 0usize;
        let mut out = Vec::with_capacity(info.len() * self.rate);
        for &bit in info {
            let b = (bit & 1) as usize;
            let p = self.pattern[(state << 1) | b];
            for g in 0..self.rate {
                out.push((p >> g) & 1);
            }
            state = ((b << (self.constraint - 1)) | state) >> 1;
        }
        out
    }
}

avx2_dispatch! {
    /// One add-compare-select step over all butterflies: states 2p and 2p + 1 lead to p (bit 0) and
    /// p + S/2 (bit 1); the survivor is the odd state only when its metric is strictly larger.
    fn acs(metric: &[f64], next: &mut [f64], row: &mut [u8], butterfly: &[u8], t: &[Vec<f64>; 4]) => acs_generic;
}

#[inline(always)]
fn acs_generic(
    metric: &[f64],
    next: &mut [f64],
    row: &mut [u8],
    butterfly: &[u8],
    t: &[Vec<f64>; 4],
) {
    let half = butterfly.len();
    let (n0, n1) = next.split_at_mut(half);
    let (r0, r1) = row.split_at_mut(half);
    let (t0, t1, t2, t3) = (&t[0][..256], &t[1][..256], &t[2][..256], &t[3][..256]);
    let pairs = metric.chunks_exact(2);
    for (p, (m, &q)) in pairs.zip(butterfly).enumerate() {
        let q = q as usize;
        let (m0, m1) = (m[0], m[1]);
        let (c0, c1) = (m0 + t0[q], m1 + t1[q]);
        let up = c1 > c0;
        n0[p] = if up { c1 } else { c0 };
        r0[p] = up as u8;
        let (c0, c1) = (m0 + t2[q], m1 + t3[q]);
        let up = c1 > c0;
        n1[p] = if up { c1 } else { c0 };
        r1[p] = up as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATORS: [u32; 6] = [0o46321, 0o51271, 0o63667, 0o70535, 0o73277, 0o76513];

    #[test]
    fn decodes_a_noisy_codeword() {
        let mut v = Viterbi::new(15, &GENERATORS).unwrap();
        let mut info: Vec<u8> = (0..152).map(|i| ((i * 37 + 11) % 7 < 3) as u8).collect();
        info.extend([0u8; 14]);
        let coded = v.encode(&info);
        // ±1 with every fifth bit flipped and scaled down: well within the code's reach.
        let soft: Vec<f64> = coded
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let s = if c == 1 { 1.0 } else { -1.0 };
                if i % 5 == 0 {
                    -0.5 * s
                } else {
                    s
                }
            })
            .collect();
        let mut out = vec![0u8; info.len()];
        v.decode(&soft, &mut out).unwrap();
        assert_eq!(out, info);
    }

    /// The add-compare-select loop as the format describes it, state by state: the reference
    /// the butterfly tables must reproduce bit for bit, ties included.
    fn reference_decode(v: &Viterbi, soft: &[f64], info_length: usize) -> Vec<u8> {
        let states = 1usize << (v.constraint - 1);
        let shift = v.constraint - 2;
        let mut metric = vec![f64::NEG_INFINITY; states];
        metric[0] = 0.0;
        let mut decisions = vec![0u8; info_length * states];
        for i in 0..info_length {
            let sv = &soft[i * v.rate..(i + 1) * v.rate];
            let branch = |p: u8| -> f64 {
                sv.iter()
                    .enumerate()
                    .map(|(g, &x)| if (p >> g) & 1 == 1 { x } else { -x })
                    .sum()
            };
            let mut next = vec![f64::NEG_INFINITY; states];
            for p in 0..states / 2 {
                let (s0, s1) = (2 * p, 2 * p + 1);
                for b in 0..2usize {
                    let ns = (b << shift) | p;
                    let c0 = metric[s0] + branch(v.pattern[(s0 << 1) | b]);
                    let c1 = metric[s1] + branch(v.pattern[(s1 << 1) | b]);
                    (next[ns], decisions[i * states + ns]) =
                        if c1 > c0 { (c1, 1) } else { (c0, 0) };
                }
            }
            metric = next;
        }
        let mut out = vec![0u8; info_length];
        let mut state = 0usize;
        for i in (0..info_length).rev() {
            out[i] = ((state >> shift) & 1) as u8;
            let low = decisions[i * states + state] as usize;
            state = ((state << 1) & (states - 1)) | low;
        }
        out
    }

    #[test]
    fn butterfly_tables_decode_exactly_like_the_state_by_state_loop() {
        let mut v = Viterbi::new(15, &GENERATORS).unwrap();
        let steps = 40;
        let mut seed = 12345u32;
        for case in 0..4 {
            let soft: Vec<f64> = (0..steps * 6)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    match case {
                        // All zero (every comparison a tie) and coarse values (many ties).
                        0 => 0.0,
                        1 => (seed % 3) as f64 - 1.0,
                        _ => seed as f64 / u32::MAX as f64 - 0.5,
                    }
                })
                .collect();
            let mut out = vec![0u8; steps];
            v.decode(&soft, &mut out).unwrap();
            assert_eq!(out, reference_decode(&v, &soft, steps), "case {case}");
        }
    }

    #[test]
    fn rejects_short_input() {
        let mut v = Viterbi::new(7, &[0o171, 0o133]).unwrap();
        let mut out = vec![0u8; 10];
        assert!(v.decode(&[0.0; 19], &mut out).is_err());
    }
}
