import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computePeaks, createPeaksBuilder } from './peaks.js';
import { decodePeaksDat, encodePeaksDat, encodePeaksJson } from './peaks-format.js';
import { renderPeaksPng, renderPeaksSvg } from './peaks-render.js';

/** A quarter-rate sine: samples 0, A, 0, -A, ... so every block of 4+ holds exactly -A and A. */
const quarterSine = (n: number, a: number) =>
  new Float32Array(n).map((_, i) => [0, a, 0, -a][i % 4]! / 32768);

describe('computePeaks', () => {
  it('finds the known min/max of a sine', () => {
    const p = computePeaks({
      audio: { sampleRate: 8000, channels: [quarterSine(1000, 12000)] },
      zoom: 100,
    });
    expect(p.length).toBe(10);
    expect(p.samplesPerPixel).toBe(100);
    for (let i = 0; i < 10; i++)
      expect([p.data[2 * i], p.data[2 * i + 1]]).toEqual([-12000, 12000]);
  });

  it('derives samples per point from pixels per second and keeps a last partial point', () => {
    const p = computePeaks({
      audio: { sampleRate: 44100, channels: [quarterSine(44100 + 3, 1000)] },
      pixelsPerSecond: 100,
    });
    expect(p.samplesPerPixel).toBe(441);
    expect(p.length).toBe(101);
    expect([p.data[200], p.data[201]]).toEqual([0, 1000]); // last 3 samples: 0, 1000, 0
  });

  it('mixes channels to mono by the truncated integer mean, or keeps them split', () => {
    const l = new Float32Array([3, -3]).map((x) => x / 32768);
    const r = new Float32Array([0, 0]);
    const mono = computePeaks({ audio: { sampleRate: 8000, channels: [l, r] }, zoom: 2 });
    expect(Array.from(mono.data)).toEqual([-1, 1]); // trunc(3/2)=1, trunc(-3/2)=-1
    const split = computePeaks({
      audio: { sampleRate: 8000, channels: [l, r] },
      zoom: 2,
      splitChannels: true,
    });
    expect(split.channels).toBe(2);
    expect(Array.from(split.data)).toEqual([-3, 3, 0, 0]);
  });

  it('matches a naive reference computation, also when fed in chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 1, max: 64 }),
        (ints, zoom, chunk) => {
          const x = Float32Array.from(ints, (v) => v / 32768);
          const b = createPeaksBuilder({
            sampleRate: 8000,
            inputChannels: 1,
            samplesPerPixel: zoom,
          });
          for (let i = 0; i < x.length; i += chunk) b.push([x.subarray(i, i + chunk)]);
          const ref: number[] = [];
          for (let i = 0; i < ints.length; i += zoom) {
            const block = ints.slice(i, i + zoom);
            ref.push(Math.min(...block), Math.max(...block));
          }
          expect(Array.from(b.finish().data)).toEqual(ref);
        },
      ),
    );
  });

  it('rejects a zoom below 2', () => {
    expect(() =>
      computePeaks({ audio: { sampleRate: 8000, channels: [new Float32Array(4)] }, zoom: 1 }),
    ).toThrow(/samples per point/);
  });
});

describe('audiowaveform formats', () => {
  const peaks = computePeaks({
    audio: { sampleRate: 48000, channels: [quarterSine(512, 0x1234)] },
    zoom: 256,
  });

  it('writes the version 2 binary header and 16-bit data byte for byte', () => {
    const dat = encodePeaksDat(peaks);
    const hex = Buffer.from(dat).toString('hex');
    // version 2, flags 0, 48000, 256, length 2, channels 1, then -0x1234, 0x1234 twice (LE)
    expect(hex).toBe(
      [
        '02000000', // version 2
        '00000000', // flags: 16-bit
        '80bb0000', // 48000 Hz
        '00010000', // 256 samples per pixel
        '02000000', // 2 points
        '01000000', // 1 channel
        'cced3412', // -0x1234, 0x1234
        'cced3412',
      ].join(''),
    );
  });

  it('writes version 1 8-bit data as the 16-bit value divided by 256, truncated', () => {
    const dat = encodePeaksDat(peaks, { bits: 8, version: 1 });
    expect(dat.length).toBe(20 + 4);
    expect(Buffer.from(dat.subarray(0, 8)).toString('hex')).toBe('0100000001000000');
    expect(Array.from(new Int8Array(dat.buffer, 20, 4))).toEqual([-18, 18, -18, 18]); // 0x1234 = 4660
  });

  it('round-trips .dat and writes JSON in audiowaveform key order', () => {
    const back = decodePeaksDat(encodePeaksDat(peaks, { bits: 16 }));
    expect(back.data).toEqual(peaks.data);
    expect(encodePeaksJson(peaks, { bits: 8 })).toBe(
      '{"version":2,"channels":1,"sample_rate":48000,"samples_per_pixel":256,"bits":8,"length":2,"data":[-18,18,-18,18]}\n',
    );
    expect(() => encodePeaksDat({ ...peaks, channels: 2 }, { version: 1 })).toThrow(/version 1/);
  });
});

describe('rendering', () => {
  const peaks = computePeaks({
    audio: { sampleRate: 8000, channels: [quarterSine(800, 16384)] },
    zoom: 8,
  });

  it('writes a PNG that ffmpeg decodes, with the waveform in the middle band only', () => {
    const png = renderPeaksPng(peaks, { width: 100, height: 64 });
    const dir = mkdtempSync(join(tmpdir(), 'vaultmark-png-'));
    writeFileSync(join(dir, 'w.png'), png);
    const raw = execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      join(dir, 'w.png'),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-',
    ]);
    expect(raw.length).toBe(100 * 64 * 4);
    const isWave = (x: number, y: number) => raw[(y * 100 + x) * 4] === 0x3a;
    // amplitude 0.5: rows 16..47 painted, rows 0..14 and 49..63 background
    expect(isWave(50, 32)).toBe(true);
    expect(isWave(50, 17)).toBe(true);
    expect(isWave(50, 10)).toBe(false);
    expect(isWave(50, 55)).toBe(false);
  });

  it('writes a well-formed SVG', () => {
    const svg = renderPeaksSvg(peaks, { width: 50, height: 40 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="50" height="40"/);
    expect(svg).toContain('<path d="M0,10 1,10 L1,10 2,10');
    expect(svg).toContain('1,30 L1,30 0,30 Z');
  });
});
