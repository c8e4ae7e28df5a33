import { describe, expect, it } from 'vitest';
import { detect, embed } from '../src/index.js';
import { ffmpegRoundTrip, hasFfmpeg } from './ffmpeg.js';
import { syntheticMusic, testKey } from './signals.js';

// A fast smoke check of real codecs and edits (CI); the full matrix runs in benchmarks/watermark.
const key = testKey('carol', 404);
const payload = '5ca1ab1e0ddba11c0ffee0000000beef';
const clip = syntheticMusic({ seconds: 20, seed: 77 });
const marked = embed(clip, { key, payload });

const attacks: Array<[string, Parameters<typeof ffmpegRoundTrip>[1]]> = [
  ['MP3 128 kbps', { encode: ['-c:a', 'libmp3lame', '-b:a', '128k'], format: 'mp3' }],
  ['AAC 128 kbps', { encode: ['-c:a', 'aac', '-b:a', '128k'], format: 'adts' }],
  ['resample to 48 kHz, mono', { outRate: 48000, outChannels: 1 }],
  ['speed +1% (pitch moves)', { filter: 'asetrate=44541,aresample=44100' }],
];

describe.skipIf(!hasFfmpeg())('robustness smoke test (ffmpeg)', { timeout: 120_000 }, () => {
  for (const [name, opts] of attacks) {
    it(`recovers the payload after ${name}`, () => {
      const attacked = ffmpegRoundTrip(marked, opts);
      const r = detect(attacked, { keys: [key] });
      expect(r.matches.map((m) => m.payload)).toEqual([payload]);
    });
  }
});
