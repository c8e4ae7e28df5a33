import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openAudioSink } from './audio-sink.js';
import { wavLayout } from './wav-layout.js';
import { readWav } from './wav-read.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-wav-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signal(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: frames }, (_, i) => 0.9 * Math.sin((i + 1) * (0.013 + 0.007 * c))),
  );
}

describe('wavLayout', () => {
  it('renders, range by range, exactly the file the audio sink writes', async () => {
    for (const format of [
      { encoding: 'pcm', bitsPerSample: 16 },
      { encoding: 'pcm', bitsPerSample: 24 },
      { encoding: 'float', bitsPerSample: 32 },
    ] as const) {
      const channels = signal(2, 10_000);
      const path = join(dir, `sink-${format.encoding}${format.bitsPerSample}.wav`);
      const sink = await openAudioSink(path, { sampleRate: 48_000, channelCount: 2, format });
      await sink.write(channels);
      await sink.close();
      const file = readFileSync(path);
      const layout = wavLayout({ sampleRate: 48_000, channelCount: 2, frames: 10_000, format });
      expect(layout.size).toBe(file.length);
      const parts = [layout.header];
      for (const [from, to] of [
        [0, 1],
        [1, 4_097],
        [4_097, 10_000],
      ] as const) {
        parts.push(layout.encode(channels, from, to));
      }
      expect(Buffer.concat(parts).equals(file)).toBe(true);
    }
  });

  it('round-trips 16-bit samples bit-exactly and clips what lies outside [-1, 1)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32_768, max: 32_767 }), { minLength: 1 }), (ints) => {
        const x = Float32Array.from(ints, (v) => v / 32_768);
        const layout = wavLayout({ sampleRate: 44_100, channelCount: 1, frames: x.length });
        const bytes = Buffer.concat([layout.header, layout.encode([x], 0, x.length)]);
        const back = readWav(bytes).channels[0]!;
        expect(Array.from(back, (v) => Math.round(v * 32_768))).toEqual(ints);
      }),
      { numRuns: 50 },
    );
    const loud = Float32Array.from([1, 1.5, -1, -2]);
    const layout = wavLayout({ sampleRate: 44_100, channelCount: 1, frames: 4 });
    const pcm = layout.encode([loud], 0, 4);
    expect(Array.from(new Int16Array(pcm.buffer))).toEqual([32_767, 32_767, -32_768, -32_768]);
  });

  it('declares RF64 once the data passes 4 GiB, without allocating it', () => {
    const frames = 2 ** 31; // stereo 16-bit: 8 GiB of samples
    const layout = wavLayout({ sampleRate: 44_100, channelCount: 2, frames });
    expect(Buffer.from(layout.header.subarray(0, 4)).toString('ascii')).toBe('RF64');
    expect(layout.size).toBe(layout.dataOffset + frames * 4);
  });

  it('refuses a layout without channels or with a fractional length', () => {
    expect(() => wavLayout({ sampleRate: 44_100, channelCount: 0, frames: 1 })).toThrow(/channel/);
    expect(() => wavLayout({ sampleRate: 44_100, channelCount: 1, frames: 1.5 })).toThrow(
      /whole number/,
    );
  });
});
