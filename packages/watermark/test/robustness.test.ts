import { describe, expect, it } from 'vitest';
import { activeImplementation, detect, embed } from '../src/index.js';
import { ffmpegRoundTrip, hasFfmpeg } from './ffmpeg.js';
import { syntheticMusic, testKey } from './signals.js';
import { hasSox, soxRoundTrip } from './sox.js';

// A fast smoke check of real codecs and edits (CI): one attack or more of each family (codec,
// excerpt, speed, pitch, tempo) on two clips. The full matrix runs in benchmarks/watermark.
const key = testKey('carol', 404);
const payload = '5ca1ab1e0ddba11c0ffee0000000beef';
const clips = [77, 78].map((seed) =>
  embed(syntheticMusic({ seconds: 20, seed }), { key, payload }),
);

type Audio = (typeof clips)[number];
const excerpt = (a: Audio, from: number, seconds: number): Audio => ({
  sampleRate: a.sampleRate,
  channels: a.channels.map((c) => c.slice(from, from + Math.round(seconds * a.sampleRate))),
});

const ffmpegAttacks: Array<[string, (a: Audio) => Audio]> = [
  [
    'MP3 128 kbps',
    (a) => ffmpegRoundTrip(a, { encode: ['-c:a', 'libmp3lame', '-b:a', '128k'], format: 'mp3' }),
  ],
  [
    'AAC 128 kbps',
    (a) => ffmpegRoundTrip(a, { encode: ['-c:a', 'aac', '-b:a', '128k'], format: 'adts' }),
  ],
  ['resample to 48 kHz, mono', (a) => ffmpegRoundTrip(a, { outRate: 48000, outChannels: 1 })],
  [
    'speed +1% (pitch moves)',
    (a) => ffmpegRoundTrip(a, { filter: 'asetrate=44541,aresample=44100' }),
  ],
  [
    '6-s excerpt at an odd offset + MP3 128 kbps',
    (a) =>
      ffmpegRoundTrip(excerpt(a, 123_457, 6), {
        encode: ['-c:a', 'libmp3lame', '-b:a', '128k'],
        format: 'mp3',
      }),
  ],
];
const soxAttacks: Array<[string, (a: Audio) => Audio]> = [
  ['speed +10% (sox speed)', (a) => soxRoundTrip(a, ['speed', '1.10'])],
  ['pitch +1 semitone, tempo kept (sox pitch)', (a) => soxRoundTrip(a, ['pitch', '100'])],
  ['pitch −2 semitones, tempo kept (sox pitch)', (a) => soxRoundTrip(a, ['pitch', '-200'])],
  ['tempo +5%, pitch kept (sox tempo)', (a) => soxRoundTrip(a, ['tempo', '1.05'])],
];

// The scaled searches cost several seconds per case on the TypeScript path: there, one clip.
const scaledClips = activeImplementation().name === 'native' ? clips : clips.slice(0, 1);

function suite(attacks: Array<[string, (a: Audio) => Audio]>, on = clips): void {
  for (const [name, attack] of attacks) {
    on.forEach((marked, i) => {
      it(`recovers the payload after ${name} (clip ${i + 1})`, () => {
        const r = detect(attack(marked), { keys: [key] });
        expect(r.matches.map((m) => m.payload)).toEqual([payload]);
      });
    });
  }
}

describe.skipIf(!hasFfmpeg())('robustness smoke test (ffmpeg)', { timeout: 120_000 }, () => {
  suite(ffmpegAttacks);
});

describe.skipIf(!hasSox())('robustness smoke test (sox)', { timeout: 120_000 }, () => {
  suite(soxAttacks, scaledClips);
});

// Voice-message quality: MP3 at 32 kbps, traced among the payloads issued under the key (a
// vault's investigation), with decoys beside the copy's own.
const issued = [payload, ...Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(32, 'd'))];
// 30-s clips: at 32 kbps the match needs more than the 20 s of the other clips.
const longClips = [78, 79].map((seed) =>
  embed(syntheticMusic({ seconds: 30, seed }), { key, payload }),
);
describe.skipIf(!hasFfmpeg())('robustness smoke test (low bitrate)', { timeout: 120_000 }, () => {
  longClips.forEach((marked, i) => {
    it(`traces an MP3 at 32 kbps to its issued payload (clip ${i + 1})`, () => {
      const leak = ffmpegRoundTrip(marked, {
        encode: ['-c:a', 'libmp3lame', '-b:a', '32k'],
        format: 'mp3',
      });
      const r = detect(leak, { keys: [key], candidatePayloads: issued });
      expect(r.matches.map((m) => m.payload)).toEqual([payload]);
    });
  });
});
