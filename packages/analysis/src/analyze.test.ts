import { expect, it } from 'vitest';
import { chordProgression, clickTrack } from '../test/synth.js';
import { analyze, analyzeStream } from './analyze.js';
import { wavStreamFrom } from './wav-stream.js';
import { encodeWav } from './wav-write.js';

it('summarizes tempo, key and loudness of a click track over a chord progression', () => {
  const rate = 22050;
  const chords = chordProgression(7, 'major', 8, rate);
  const clicks = clickTrack(120, 8, rate);
  const mix = chords.map((v, i) => v + 0.5 * clicks[i]!);
  const s = analyze({ audio: { sampleRate: rate, channels: [mix, mix] } });
  expect(s.durationSeconds).toBe(8);
  expect(s.channels).toBe(2);
  expect(Math.abs(s.bpm! - 120)).toBeLessThan(2);
  expect(s.key).toBe('G major');
  expect(s.camelot).toBe('9B');
  expect(s.loudnessLufs).toBeLessThan(0);
  expect(s.truePeakDbtp).toBeLessThan(3);
});

it('reports silence without numbers that do not exist', () => {
  const s = analyze({ audio: { sampleRate: 8000, channels: [new Float32Array(8000 * 3)] } });
  expect(s).toMatchObject({ bpm: null, key: null, loudnessLufs: null, truePeakDbtp: null });
});

it('gives the same summary from a stream as from whole audio', async () => {
  const rate = 44100;
  const chords = chordProgression(9, 'minor', 8, rate);
  const clicks = clickTrack(100, 8, rate);
  const mix = chords.map((v, i) => v + 0.5 * clicks[i]!);
  const audio = { sampleRate: rate, channels: [mix, chords] };
  const bytes = encodeWav(audio, { encoding: 'float', bitsPerSample: 32 });
  const stream = await wavStreamFrom(
    (async function* () {
      for (let at = 0; at < bytes.length; at += 10007) yield bytes.subarray(at, at + 10007);
    })(),
    { chunkFrames: 3001 },
  );
  const streamed = await analyzeStream(stream);
  const whole = analyze({ audio });
  expect(streamed.key).toBe('A minor');
  expect(streamed.key).toBe(whole.key);
  expect(Math.abs(streamed.bpm! - 100)).toBeLessThan(2);
  expect(streamed.loudnessLufs).toBe(whole.loudnessLufs);
  expect(streamed.truePeakDbtp).toBe(whole.truePeakDbtp);
  expect(streamed.durationSeconds).toBe(8);
});
