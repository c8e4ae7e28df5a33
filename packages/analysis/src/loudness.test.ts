import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoudnessMeter, measureLoudness } from './loudness.js';
import { encodeWav } from './wav-write.js';

const sine = (seconds: number, f: number, amp: number, rate: number, phase = 0) =>
  new Float32Array(Math.round(seconds * rate)).map(
    (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate + phase),
  );

/** ffmpeg's ebur128 filter on the same file: an independent implementation. */
function ebur128(path: string): { i: number; lra: number; tp: number } {
  let stderr = '';
  try {
    stderr = execFileSync(
      'sh',
      ['-c', `ffmpeg -hide_banner -nostats -i "${path}" -af ebur128=peak=true -f null - 2>&1`],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
  } catch (e) {
    throw new Error(`ffmpeg failed: ${String(e)}`);
  }
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => Number(re.exec(summary)?.[1]);
  return {
    i: num(/I:\s+(-?[\d.]+) LUFS/),
    lra: num(/LRA:\s+(-?[\d.]+) LU/),
    tp: num(/Peak:\s+(-?[\d.]+) dBFS/),
  };
}

describe('measureLoudness', () => {
  it('reads -3.01 LUFS for a full-scale 997 Hz sine in one channel (BS.1770 calibration)', () => {
    // BS.1770: a 0 dB FS 997 Hz sine in one front channel reads -3.01 LKFS.
    const r = measureLoudness({ audio: { sampleRate: 48000, channels: [sine(5, 997, 1, 48000)] } });
    expect(r.integratedLufs).toBeCloseTo(-3.01, 1);
    expect(r.samplePeakDbfs).toBeCloseTo(0, 2);
  });

  it('gives -Infinity for silence and 0 LU range', () => {
    const r = measureLoudness({
      audio: { sampleRate: 44100, channels: [new Float32Array(44100 * 4)] },
    });
    expect(r.integratedLufs).toBe(Number.NEGATIVE_INFINITY);
    expect(r.loudnessRangeLu).toBe(0);
  });

  it('finds an inter-sample peak above the sample peak', () => {
    // fs/4 sine with 45 degree phase: samples sit at +-0.707 of the true amplitude.
    const x = sine(1, 12000, 0.5, 48000, Math.PI / 4);
    const r = measureLoudness({ audio: { sampleRate: 48000, channels: [x] } });
    expect(r.samplePeakDbfs).toBeCloseTo(20 * Math.log10(0.5 * Math.SQRT1_2), 2);
    expect(r.truePeakDbtp).toBeGreaterThan(20 * Math.log10(0.5) - 0.2);
  });

  it('agrees with ffmpeg ebur128 within 0.1 LU on mixed material', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaultmark-loud-'));
    const rate = 44100;
    const cases: { name: string; channels: Float32Array[] }[] = [];
    // A stereo piece with a loud and a quiet section (exercises both gates and the range).
    const a = sine(24, 440, 0.3, rate);
    const b = sine(24, 1000, 0.3, rate);
    for (let i = Math.floor(a.length / 2); i < a.length; i++) {
      a[i] = a[i]! * 0.1;
      b[i] = b[i]! * 0.1;
    }
    cases.push({ name: 'sections', channels: [a, b] });
    // Deterministic noise bursts with a low tone.
    let s = 12345;
    const noise = new Float32Array(rate * 8).map((_, i) => {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      const env = Math.floor(i / rate) % 2 ? 0.05 : 0.4;
      return env * (s / 2 ** 31) + 0.2 * Math.sin((2 * Math.PI * 60 * i) / rate);
    });
    cases.push({ name: 'noise', channels: [noise] });
    for (const c of cases) {
      const path = join(dir, `${c.name}.wav`);
      writeFileSync(
        path,
        encodeWav(
          { sampleRate: rate, channels: c.channels },
          { encoding: 'float', bitsPerSample: 32 },
        ),
      );
      const ours = measureLoudness({ audio: { sampleRate: rate, channels: c.channels } });
      const ref = ebur128(path);
      expect(Math.abs(ours.integratedLufs - ref.i), `${c.name} I`).toBeLessThanOrEqual(0.1);
      expect(Math.abs(ours.loudnessRangeLu - ref.lra), `${c.name} LRA`).toBeLessThanOrEqual(0.5);
      expect(Math.abs(ours.truePeakDbtp - ref.tp), `${c.name} TP`).toBeLessThanOrEqual(0.3);
    }
  });
});

describe('createLoudnessMeter', () => {
  it('gives the same result fed in arbitrary chunks as in one piece', () => {
    const rate = 44100;
    const x = sine(7, 997, 0.4, rate, 0.3).map((v, i) => v * (i > rate * 4 ? 0.2 : 1));
    const y = sine(7, 12000, 0.3, rate, 1.1);
    const whole = measureLoudness({ audio: { sampleRate: rate, channels: [x, y] } });
    const meter = createLoudnessMeter({ sampleRate: rate, channelCount: 2 });
    for (let at = 0, k = 0; at < x.length; k++) {
      const n = [1, 7, 4410, 30000, 13][k % 5]!;
      meter.push([x.subarray(at, at + n), y.subarray(at, at + n)]);
      at += n;
    }
    const chunked = meter.finish();
    expect(chunked.integratedLufs).toBeCloseTo(whole.integratedLufs, 9);
    expect(chunked.loudnessRangeLu).toBeCloseTo(whole.loudnessRangeLu, 9);
    expect(chunked.truePeakDbtp).toBeCloseTo(whole.truePeakDbtp, 9);
  });
});
