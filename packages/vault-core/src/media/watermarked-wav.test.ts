import { buffer } from 'node:stream/consumers';
import { readWav } from '@vaultmark/analysis';
import { embed, generateKey } from '@vaultmark/watermark';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markedWavLayout, type SampleSource, watermarkedWav } from './watermarked-wav.js';

const sampleRate = 44_100;
const length = Math.round(3.3 * sampleRate);
/** A deterministic, music-like stereo signal: harmonic tones with a tremolo, plus a little noise. */
const master = [0, 1].map((c) =>
  Float32Array.from({ length }, (_, i) => {
    const t = i / sampleRate;
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * (220 + 110 * c) * h * t) / (h * 3);
    return 0.5 * v * (0.7 + 0.3 * Math.sin(2 * Math.PI * 2 * t)) + 0.01 * Math.sin(i * 12.9898 + c);
  }),
);
const source: SampleSource = {
  sampleRate,
  channels: 2,
  length,
  read: async (start, end) => master.map((ch) => ch.slice(start, end)),
};
const key = { ...generateKey({ name: 'test' }), secret: new Uint8Array(32).fill(9) };
const payload = '0123456789abcdef0123456789abcdef';
const layout = markedWavLayout(source);
const at = layout.dataOffset;

async function readAll(start: number, end: number): Promise<Buffer> {
  return buffer(await watermarkedWav(source, { key, payload }).open(start, end));
}

describe('watermarkedWav', () => {
  it('renders the same bytes as a whole-file embed, quantized to 16-bit', async () => {
    const media = watermarkedWav(source, { key, payload });
    expect(media.size).toBe(at + length * 4);
    const whole = await readAll(0, media.size - 1);
    expect(whole.length).toBe(media.size);
    expect(whole.subarray(0, at).equals(layout.header)).toBe(true);
    // An independent reader sees a 16-bit stereo WAV of the master's length.
    const read = readWav(whole);
    expect([read.sampleRate, read.channels.length, read.channels[0]!.length]).toEqual([
      sampleRate,
      2,
      length,
    ]);
    const marked = embed({ sampleRate, channels: master }, { key, payload });
    let differs = 0;
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < 2; c++) {
        const expected = Math.max(
          -32768,
          Math.min(32767, Math.round(marked.channels[c]![i]! * 32768)),
        );
        const got = whole.readInt16LE(at + (i * 2 + c) * 2);
        if (got !== expected) differs++;
      }
    }
    expect(differs).toBe(0);
    // The mark is there: the output is not the master.
    const plain = Buffer.from(whole);
    let changed = 0;
    for (let i = 0; i < length; i++) {
      if (plain.readInt16LE(at + i * 4) !== Math.round(master[0]![i]! * 32768)) changed++;
    }
    expect(changed).toBeGreaterThan(length / 2);
  });

  it('yields, for any byte range, exactly that slice of the whole rendering', async () => {
    const size = at + length * 4;
    const whole = await readAll(0, size - 1);
    await fc.assert(
      fc.asyncProperty(fc.nat(size - 1), fc.nat(200_000), async (start, span) => {
        const end = Math.min(size - 1, start + span);
        const part = await readAll(start, end);
        expect(part.equals(whole.subarray(start, end + 1))).toBe(true);
      }),
      { numRuns: 25 },
    );
    expect((await readAll(0, 10)).equals(whole.subarray(0, 11))).toBe(true);
    expect((await readAll(size - 3, size - 1)).equals(whole.subarray(size - 3))).toBe(true);
  }, 60_000);
});
