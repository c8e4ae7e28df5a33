import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSamples, encodeSamples } from './samples.js';
import { parseWavHeader, rf64Header, type SampleFormat, wavHeader } from './wav-format.js';
import { readWavStream } from './wav-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const formats: SampleFormat[] = [
  { encoding: 'pcm', bitsPerSample: 8 },
  { encoding: 'pcm', bitsPerSample: 16 },
  { encoding: 'pcm', bitsPerSample: 24 },
  { encoding: 'pcm', bitsPerSample: 32 },
  { encoding: 'float', bitsPerSample: 32 },
  { encoding: 'float', bitsPerSample: 64 },
];

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(bytes: Uint8Array, size = 4096) {
  const wav = await readWavStream(chunked(bytes, size));
  const parts: Float32Array[][] = [];
  for await (const chunk of wav.chunks()) parts.push(chunk);
  const channels = Array.from({ length: wav.info.channels }, (_, c) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p[c]!.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p[c]!, at);
      at += p[c]!.length;
    }
    return out;
  });
  return { wav, channels };
}

function ffmpegWav(name: string, ...args: string[]): Uint8Array {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=1000:duration=0.5',
    ...args,
    path,
  ]);
  return readFileSync(path);
}

describe('WAV codec', () => {
  it('round-trips every sample format byte for byte, whatever the chunking', async () => {
    for (const format of formats) {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 0, max: 3000 }),
          fc.integer({ min: 1, max: 5000 }),
          fc.integer(),
          async (channels, frames, chunk, seed) => {
            let state = seed >>> 0 || 1;
            const samples = Array.from({ length: channels }, () =>
              Float32Array.from({ length: frames }, () => {
                state = (state * 1103515245 + 12345) >>> 0;
                return state / 2 ** 31 - 1;
              }),
            );
            const data = encodeSamples(samples, format);
            const file = new Uint8Array([
              ...wavHeader({ sampleRate: 48_000, channels, format }, data.length),
              ...data,
            ]);
            const { wav, channels: decoded } = await readAll(file, chunk);
            expect(wav.info).toMatchObject({ sampleRate: 48_000, channels, format });
            expect(wav.totalSamples).toBe(frames);
            expect(encodeSamples(decoded, format)).toEqual(data);
            const step = format.encoding === 'float' ? 1e-7 : 2 / 2 ** format.bitsPerSample;
            for (let c = 0; c < channels; c++) {
              for (let i = 0; i < frames; i += 97)
                expect(Math.abs(decoded[c]![i]! - samples[c]![i]!)).toBeLessThanOrEqual(step);
            }
          },
        ),
        { numRuns: 15 },
      );
    }
  });

  it('reads what ffmpeg writes: plain, WAVE_FORMAT_EXTENSIBLE and RF64', async () => {
    const plain = await readAll(ffmpegWav('plain.wav'));
    expect(plain.wav.info.format).toEqual({ encoding: 'pcm', bitsPerSample: 16 });
    expect(plain.channels[0]!.length).toBe(22_050);
    const ext = await readAll(ffmpegWav('ext.wav', '-ac', '4', '-c:a', 'pcm_s24le'));
    expect(ext.wav.info).toMatchObject({
      channels: 4,
      format: { encoding: 'pcm', bitsPerSample: 24 },
    });
    const rf64 = await readAll(ffmpegWav('rf64.wav', '-c:a', 'pcm_f32le', '-rf64', 'always'));
    expect(String.fromCharCode(...ffmpegWav('rf64b.wav', '-rf64', 'always').subarray(0, 4))).toBe(
      'RF64',
    );
    expect(rf64.wav.info.format).toEqual({ encoding: 'float', bitsPerSample: 32 });
    expect(rf64.wav.totalSamples).toBe(22_050);
    // A 1 kHz sine at ffmpeg's default amplitude (1/8) peaks near 0.125.
    expect(Math.max(...plain.channels[0]!)).toBeCloseTo(0.125, 2);
  });

  it('writes RF64 headers that it reads back', () => {
    const info = {
      sampleRate: 44_100,
      channels: 2,
      format: { encoding: 'pcm', bitsPerSample: 16 } as const,
    };
    const header = rf64Header(wavHeader(info, undefined), 5 * 2 ** 32, (5 * 2 ** 32) / 4);
    expect(parseWavHeader(header)).toMatchObject({ dataBytes: 5 * 2 ** 32, sampleRate: 44_100 });
  });

  it('fails clearly on empty, truncated and foreign input', async () => {
    await expect(readAll(new Uint8Array(0))).rejects.toMatchObject({ code: 'empty_file' });
    const file = ffmpegWav('whole.wav');
    await expect(readAll(file.subarray(0, 30))).rejects.toMatchObject({ code: 'truncated_file' });
    await expect(readAll(file.subarray(0, 20_000))).rejects.toMatchObject({
      code: 'truncated_file',
    });
    await expect(readAll(new TextEncoder().encode('RIFF....AVI LIST'))).rejects.toMatchObject({
      code: 'unsupported_format',
    });
    const adpcm = ffmpegWav('adpcm.wav', '-c:a', 'adpcm_ms');
    await expect(readAll(adpcm)).rejects.toMatchObject({ code: 'unsupported_format' });
  });

  it('decodes 8-bit as unsigned and 24-bit with sign extension', () => {
    expect(
      decodeSamples(Uint8Array.of(0, 128, 255), { encoding: 'pcm', bitsPerSample: 8 }, 1)[0],
    ).toEqual(Float32Array.of(-1, 0, 127 / 128));
    expect(
      decodeSamples(
        Uint8Array.of(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f),
        { encoding: 'pcm', bitsPerSample: 24 },
        1,
      )[0],
    ).toEqual(Float32Array.of(-1, 8388607 / 8388608));
  });
});
