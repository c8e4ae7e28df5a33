//! Soft-decision Viterbi decoder of the format's terminated convolutional code (docs/watermark.md
//! §4), the native twin of `ConvolutionalCode.decode` with the same add-compare-select order, so
//! both paths break ties alike.

use crate::errors::NativeError;

/// A rate-1/n code of constraint length K with its trellis tables and decoder buffers.
pub struct Viterbi {
    constraint: u32,
    rate: usize,
    /// Output bits of transition (state << 1 | bit), packed.
    pattern: Vec<u8>,
    decisions: Vec<u8>,
    metric: Vec<f64>,
    next: Vec<f64>,
    branch: Vec<f64>,
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
        Ok(Viterbi {
            constraint,
            rate: generators.len(),
            pattern,
            decisions: Vec::new(),
            metric: vec![0.0; states],
            next: vec![0.0; states],
            branch: vec![0.0; 1 << generators.len()],
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
        let half = states / 2;
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
            self.next.fill(f64::NEG_INFINITY);
            let row = &mut self.decisions[i * states..(i + 1) * states];
            for p in 0..half {
                let s0 = 2 * p;
                let s1 = s0 + 1;
                let m0 = self.metric[s0];
                let m1 = self.metric[s1];
                for b in 0..2usize {
                    let ns = (b << shift) | p;
                    let c0 = m0 + self.branch[self.pattern[(s0 << 1) | b] as usize];
                    let c1 = m1 + self.branch[self.pattern[(s1 << 1) | b] as usize];
                    if c1 > c0 {
                        self.next[ns] = c1;
                        row[ns] = 1;
                    } else {
                        self.next[ns] = c0;
                        row[ns] = 0;
                    }
                }
            }
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

    #[test]
    fn rejects_short_input() {
        let mut v = Viterbi::new(7, &[0o171, 0o133]).unwrap();
        let mut out = vec![0u8; 10];
        assert!(v.decode(&[0.0; 19], &mut out).is_err());
    }
}
