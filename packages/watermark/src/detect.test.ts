import { describe, expect, it } from 'vitest';
import { changeSpeed, syntheticMusic, testKey, whiteNoise } from '../test/signals.js';
import { BandAnalyzer } from './band-analysis.js';
import { createDetector, detect } from './detect.js';
import { embed } from './embed.js';
import { WatermarkError } from './errors.js';

const alice = testKey('alice', 101);
const bob = testKey('bob', 202);
const mallory = testKey('mallory', 303);

const music = syntheticMusic({ seconds: 26, seed: 21 });
const payload128 = 'f00dfacecafebeef0123456789abcdef';
const marked = embed(music, { key: alice, payload: payload128 });

describe('detect', { timeout: 120_000 }, () => {
  it('recovers 32-, 64- and 128-bit payloads with a tiny false-positive probability', () => {
    const r = detect(marked, { keys: [alice] });
    expect(r.found).toBe(true);
    expect(r.durationSeconds).toBeCloseTo(26, 5);
    expect(r.matches).toHaveLength(1);
    const m = r.matches[0]!;
    expect(m.payload).toBe(payload128);
    expect(m.keyName).toBe('alice');
    expect(m.falsePositiveProbability).toBeLessThan(1e-9);
    expect(m.offsetSeconds).toBeLessThan(0.01);
    expect(Math.abs((m.speed ?? 1) - 1)).toBeLessThan(0.0005);
    for (const payload of ['a1b2c3d4', '0011223344556677']) {
      const bits = payload.length * 4;
      const short = syntheticMusic({ seconds: 15, seed: bits });
      const out = detect(embed(short, { key: alice, payload }), {
        keys: [alice],
        payloadBits: bits,
      });
      expect(out.matches.map((x) => x.payload)).toEqual([payload]);
    }
  });

  it('matches a mark too weak to decode against the issued payloads, and nothing else', () => {
    // A 1% band change: far below the default 16%, too weak for the blind decoder here.
    const faint = embed(music, { key: alice, payload: payload128, strength: 1 });
    expect(detect(faint, { keys: [alice] }).found).toBe(false);
    const issued = [payload128, '00'.repeat(16), 'ab'.repeat(16)];
    const r = detect(faint, { keys: [alice], candidatePayloads: issued });
    expect(r.matches.map((m) => [m.payload, m.method, m.layer])).toEqual([
      [payload128, 'candidate', 0],
    ]);
    expect(r.matches[0]!.falsePositiveProbability).toBeLessThan(1e-9);
    // Per key: another key's list is not searched under this one.
    const perKey = detect(faint, { keys: [alice], candidatePayloads: { bob: issued } });
    expect(perKey.found).toBe(false);
    // Unmarked audio and the wrong key stay silent with the same candidates.
    expect(detect(music, { keys: [alice], candidatePayloads: issued }).found).toBe(false);
    expect(detect(faint, { keys: [mallory], candidatePayloads: issued }).found).toBe(false);
    for (const bad of ['abc', 'ab'.repeat(8), 'zz'.repeat(16)]) {
      expect(() => detect(faint, { keys: [alice], candidatePayloads: [bad] })).toThrow(
        expect.objectContaining({ code: 'invalid_payload' }),
      );
    }
    // Written as a person might (0x, upper case): matched and reported as a decoded payload is.
    const written = `0x${payload128.toUpperCase()}`;
    const upper = detect(faint, { keys: [alice], candidatePayloads: [written] });
    expect(upper.matches.map((m) => m.payload)).toEqual([payload128]);
  });

  it('finds nothing with the wrong key', () => {
    const r = detect(marked, { keys: [mallory] });
    expect(r.found).toBe(false);
    expect(r.matches).toEqual([]);
  });

  it('finds nothing in unmarked audio (music-like and white noise)', () => {
    expect(detect(music, { keys: [alice, bob] }).found).toBe(false);
    const noise = whiteNoise(20, 44100, 0.1, 5);
    expect(detect({ sampleRate: 44100, channels: [noise] }, { keys: [alice] }).found).toBe(false);
  });

  it('finds both keys when two recipients’ copies are spliced (first and second half)', () => {
    const long = syntheticMusic({ seconds: 52, seed: 33 });
    const a = embed(long, { key: alice, payload: payload128 });
    const b = embed(long, {
      key: bob,
      payload: '00000000000000000000000000000bob'.replace('bob', '0b0'),
    });
    const half = 26 * 44100 + 123;
    const spliced = a.channels.map((ch, c) => {
      const out = new Float32Array(ch);
      out.set((b.channels[c] as Float32Array).subarray(half), half);
      return out;
    });
    const r = detect({ sampleRate: 44100, channels: spliced }, { keys: [alice, bob] });
    expect(r.matches.map((m) => m.keyName).sort()).toEqual(['alice', 'bob']);
    expect(r.matches.find((m) => m.keyName === 'bob')?.payload).toBe(
      '000000000000000000000000000000b0',
    );
  });

  it('names both recipients when their copies (one key) are averaged, and no one else', () => {
    // Payloads as the vault makes them (random), sharing no long run of bits with payload128.
    const other = '9c41e07a2b6d58f3a0e4c7b1d2f86539';
    const b = embed(music, { key: alice, payload: other });
    const avg = marked.channels.map((ch, c) => {
      const o = b.channels[c] as Float32Array;
      return ch.map((v, i) => 0.5 * (v + (o[i] as number)));
    });
    const r = detect({ sampleRate: 44100, channels: avg }, { keys: [alice], searchSpeed: false });
    expect(r.matches.map((m) => m.payload).sort()).toEqual([other, payload128].sort());
    expect(r.severalMarks).toBe(true);
    expect(r.matches.map((m) => m.layer).sort()).toEqual([0, 1]);
    for (const m of r.matches) expect(m.log10FalsePositiveProbability).toBeLessThan(-9);
  });

  it('reports one mark, not several, for a single copy', () => {
    const r = detect(marked, { keys: [alice], searchSpeed: false });
    expect(r.matches.map((m) => [m.payload, m.layer])).toEqual([[payload128, 0]]);
    expect(r.severalMarks).toBe(false);
  });

  it('finds both keys when two marks are layered on the same audio', () => {
    const both = embed(embed(music, { key: alice, payload: payload128 }), {
      key: bob,
      payload: '22222222222222222222222222222222',
    });
    const r = detect(both, { keys: [alice, bob], searchSpeed: false });
    expect(r.matches.map((m) => `${m.keyName}:${m.payload}`).sort()).toEqual([
      `alice:${payload128}`,
      'bob:22222222222222222222222222222222',
    ]);
  });

  it('works at 8 kHz mono with a 32-bit payload', () => {
    const low = syntheticMusic({ seconds: 12, seed: 8, sampleRate: 8000, channels: 1 });
    const r = detect(embed(low, { key: bob, payload: 'abcd1234' }), {
      keys: [bob],
      payloadBits: 32,
    });
    expect(r.matches.map((m) => m.payload)).toEqual(['abcd1234']);
  });

  it('finds the mark in an excerpt cut at an arbitrary sample offset', () => {
    const start = Math.round(7.3 * 44100) + 17;
    const excerpt = marked.channels.map((ch) => ch.slice(start, start + 12 * 44100));
    const r = detect({ sampleRate: 44100, channels: excerpt }, { keys: [alice] });
    expect(r.matches[0]?.payload).toBe(payload128);
    // Block starts every 1024 frames of 1024 samples; the excerpt starts 7.3 s (+17) into one.
    const block = (1024 * 1024) / 44100;
    expect(r.matches[0]?.offsetSeconds).toBeCloseTo(block - start / 44100, 2);
  });

  it('finds the mark at 48 kHz mono and after a 1% speed change', () => {
    const m48 = syntheticMusic({ seconds: 20, seed: 48, sampleRate: 48000, channels: 1 });
    const w48 = embed(m48, { key: bob, payload: payload128 });
    expect(detect(w48, { keys: [bob] }).matches[0]?.payload).toBe(payload128);
    const fast = changeSpeed(marked.channels[0] as Float32Array, 1.01);
    const r = detect({ sampleRate: 44100, channels: [fast] }, { keys: [alice] });
    expect(r.matches[0]?.payload).toBe(payload128);
    expect(r.matches[0]?.speed).toBeCloseTo(1.01, 3);
  });

  it('streams: chunked input gives the same result as whole input', () => {
    const det = createDetector({ keys: [alice], sampleRate: 44100, channels: 2 });
    const len = (marked.channels[0] as Float32Array).length;
    for (let s = 0; s < len; s += 10007)
      det.push(marked.channels.map((ch) => ch.subarray(s, s + 10007)));
    const r = det.finish();
    expect(r).toEqual(detect(marked, { keys: [alice] }));
  });

  it('finds a mark that only the third window of a long input holds', () => {
    // 100 s mono at 8 kHz: windows start 0, ≈35 and ≈70 s; only the last 28 s carry the mark, so
    // the third window finds it from rows carried over from the second plus rows of its own.
    const rate = 8000;
    const long = syntheticMusic({ seconds: 100, seed: 77, sampleRate: rate, channels: 1 });
    const from = 72 * rate;
    const tail = { sampleRate: rate, channels: [(long.channels[0] as Float32Array).slice(from)] };
    const marked = embed(tail, { key: bob, payload: 'abcd1234' });
    const mixed = new Float32Array(long.channels[0] as Float32Array);
    mixed.set(marked.channels[0] as Float32Array, from);
    const r = detect({ sampleRate: rate, channels: [mixed] }, { keys: [bob], payloadBits: 32 });
    expect(r.matches.map((m) => m.payload)).toEqual(['abcd1234']);
    // The first block starts at 72 s; offsets wrap by the block length (23.78 s).
    const block = (1024 * 1024) / 44100;
    expect(r.matches[0]?.offsetSeconds).toBeCloseTo(72 - 3 * block, 2);
  });

  it('carries spectrogram rows of an overlap over exactly', () => {
    const analyzer = new BandAnalyzer(44100);
    const x = (music.channels[0] as Float32Array).subarray(0, 5 * 44100);
    const shift = 300;
    const first = x.subarray(0, 3 * 44100);
    const second = x.subarray(shift * analyzer.hop, shift * analyzer.hop + first.length);
    const a = analyzer.spectrogram(first);
    const rows = analyzer.rows(second.length);
    const bins = analyzer.binCount;
    a.power.copyWithin(0, shift * bins, a.rows * bins);
    const carried = a.power.subarray(0, rows * bins);
    analyzer.spectrogramRows(second, carried, a.rows - shift);
    expect(carried).toEqual(analyzer.spectrogram(second).power);
  });

  it('reports audio_too_short and invalid options with typed errors', () => {
    const tiny = { sampleRate: 44100, channels: [new Float32Array(44100)] };
    expect(() => detect(tiny, { keys: [alice] })).toThrow(WatermarkError);
    try {
      detect(tiny, { keys: [alice] });
    } catch (e) {
      expect((e as WatermarkError).code).toBe('audio_too_short');
    }
    expect(() => detect(marked, { keys: [] })).toThrow(/at least one key/);
    expect(() => detect(marked, { keys: [alice], payloadBits: 48 })).toThrow(WatermarkError);
  });
});
