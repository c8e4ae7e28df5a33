import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePeaksDat, encodeWav, readWav } from '@vaultmark/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-analysis-cli-'));
const at = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RATE = 44100;
const SECONDS = 12;
const FRAMES = RATE * SECONDS;

/**
 * A signal with known answers: a C major triad (C4, E4, G4) held throughout, and a click every
 * 0.5 s (120 BPM), in stereo; the right channel is the left at half amplitude.
 */
function testSignal(): Float32Array[] {
  const left = new Float32Array(FRAMES);
  const beat = RATE / 2;
  for (let i = 0; i < FRAMES; i++) {
    const t = i / RATE;
    let x = 0;
    for (const f of [261.63, 329.63, 392.0]) x += 0.12 * Math.sin(2 * Math.PI * f * t);
    const sinceClick = i % beat;
    if (sinceClick < 400) x += 0.5 * Math.exp(-sinceClick / 60) * Math.sin(2 * Math.PI * 2000 * t);
    left[i] = x;
  }
  return [left, left.map((v) => v / 2)];
}

beforeAll(() => {
  writeFileSync(at('song.wav'), encodeWav({ sampleRate: RATE, channels: testSignal() }));
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    at('song.wav'),
    '-b:a',
    '192k',
    at('song.mp3'),
  ]);
  writeFileSync(at('noise.bin'), Buffer.from('this is not audio at all, just some text bytes'));
});

describe('vaultmark analyze', () => {
  it('reports tempo, key and loudness as JSON', async () => {
    const r = await run(['analyze', '--json', at('song.wav')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.durationSeconds).toBeCloseTo(SECONDS, 3);
    expect(s.sampleRate).toBe(RATE);
    expect(s.channels).toBe(2);
    expect(Math.abs(s.bpm - 120) / 120).toBeLessThan(0.02);
    expect(s.key).toBe('C major');
    expect(s.camelot).toBe('8B');
    expect(s.loudnessLufs).toBeLessThan(0);
    expect(s.truePeakDbtp).toBeLessThan(0.5);
  });

  it('prints a readable summary of a compressed file (decoded by ffmpeg)', async () => {
    const r = await run(['analyze', at('song.mp3')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^duration: +12\.\d\d s$/m);
    expect(r.stdout).toMatch(/^tempo: +1(19|20|21)\.\d BPM/m);
    expect(r.stdout).toMatch(/^key: +C major \(Camelot 8B/m);
    expect(r.stdout).toMatch(/^loudness: +-\d+\.\d LUFS integrated/m);
  });

  it('answers a missing file and a file that is not audio with one-line errors and exit 2', async () => {
    const missing = await run(['analyze', at('absent.wav')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^vaultmark: (not_found|file_not_found): .*absent\.wav/);
    const junk = await run(['analyze', at('noise.bin')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/^vaultmark: (unsupported_format|corrupt_file|ffmpeg_failed): /);
    expect(junk.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('vaultmark peaks', () => {
  it('writes audiowaveform binary data at the requested zoom and bits', async () => {
    const r = await run([
      'peaks',
      at('song.wav'),
      '-o',
      at('song.dat'),
      '--zoom',
      '512',
      '--bits',
      '8',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dat = readFileSync(at('song.dat'));
    // Version 1 header: version, flags (bit 0 = 8-bit), rate, samples per pixel, length.
    expect(dat.readInt32LE(0)).toBe(1);
    expect(dat.readUInt32LE(4) & 1).toBe(1);
    expect(dat.readInt32LE(8)).toBe(RATE);
    expect(dat.readInt32LE(12)).toBe(512);
    expect(dat.readUInt32LE(16)).toBe(Math.ceil(FRAMES / 512));
    const peaks = decodePeaksDat(new Uint8Array(dat));
    expect(peaks.channels).toBe(1);
    expect(dat.length).toBe(20 + 2 * peaks.length);
  });

  it('splits channels into a version 2 file and honours --pixels-per-second in JSON', async () => {
    const split = await run(['peaks', at('song.wav'), '-o', at('split.dat'), '--split-channels']);
    expect(split.code).toBe(0);
    const dat = readFileSync(at('split.dat'));
    expect(dat.readInt32LE(0)).toBe(2);
    expect(dat.readInt32LE(20)).toBe(2);
    const json = await run([
      'peaks',
      at('song.wav'),
      '-o',
      at('song.json'),
      '--pixels-per-second',
      '50',
    ]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(readFileSync(at('song.json'), 'utf8'));
    expect(doc).toMatchObject({ version: 2, channels: 1, sample_rate: RATE, bits: 16 });
    expect(doc.samples_per_pixel).toBe(Math.floor(RATE / 50));
    expect(doc.data).toHaveLength(2 * doc.length);
    // The left channel peaks near 0.12·3 + 0.5 of full scale; the mono mix at 3/4 of that.
    expect(Math.max(...doc.data)).toBeGreaterThan(0.4 * 32768);
  });

  it('draws PNG and SVG images that fit the whole file into the width', async () => {
    const png = await run(['peaks', at('song.wav'), '-o', at('song.png'), '--height', '100']);
    expect(png.code).toBe(0);
    const bytes = readFileSync(at('song.png'));
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(800);
    expect(bytes.readUInt32BE(20)).toBe(100);
    const svg = await run([
      'peaks',
      at('song.wav'),
      '-o',
      at('song.svg'),
      '--waveform-color',
      'ff0000',
    ]);
    expect(svg.code).toBe(0);
    const text = readFileSync(at('song.svg'), 'utf8');
    expect(text).toMatch(/<svg[^>]* width="800"/);
    expect(text).toContain('rgb(255,0,0)');
  });

  it('refuses an unknown output type and conflicting scales', async () => {
    const r = await run(['peaks', at('song.wav'), '-o', at('song.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vaultmark: unsupported_output: /);
    const both = await run([
      'peaks',
      at('song.wav'),
      '-o',
      at('x.dat'),
      '--zoom',
      '256',
      '--pixels-per-second',
      '10',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^vaultmark: invalid_argument: /);
  });
});

describe('vaultmark stems', () => {
  it('writes vocals, drums and other that add back up to the input', async () => {
    const r = await run(['stems', at('song.wav'), '--out', at('stems')]);
    expect(r.code).toBe(0);
    const names = r.stdout.trim().split('\n');
    expect(names.map((p) => p.slice(at('stems').length + 1))).toEqual([
      'vocals.wav',
      'drums.wav',
      'other.wav',
    ]);
    const input = readWav(new Uint8Array(readFileSync(at('song.wav'))));
    const stems = names.map((p) => readWav(new Uint8Array(readFileSync(p))));
    let signal = 0;
    let error = 0;
    for (let c = 0; c < 2; c++) {
      const x = input.channels[c]!;
      for (let i = 0; i < FRAMES; i += 7) {
        const sum = stems.reduce((s, stem) => s + stem.channels[c]![i]!, 0);
        signal += x[i]! ** 2;
        error += (x[i]! - sum) ** 2;
      }
    }
    for (const stem of stems) expect(stem.channels[0]).toHaveLength(FRAMES);
    // 16-bit stems: the sum matches the input to within their quantization (> 40 dB).
    expect(10 * Math.log10(signal / error)).toBeGreaterThan(40);
  }, 60_000);
});
