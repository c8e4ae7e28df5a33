import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chordProgression, clickTrack } from '../test/synth.js';
import { createDspSeparator, sdr, writeStems } from './stems.js';
import { forwardStft, inverseStft } from './stft.js';
import { readWav } from './wav-read.js';

const rate = 22050;

describe('STFT', () => {
  it('reconstructs its input', () => {
    const x = chordProgression(0, 'major', 1, rate);
    const y = new Float32Array(x.length);
    inverseStft(y, forwardStft(x, 1024), 1024);
    expect(sdr(x, y)).toBeGreaterThan(100);
  });
});

describe('DSP separator', () => {
  // Known stems: sustained chords (harmonic), clicks (percussive), a centred vibrato "voice".
  const seconds = 6;
  const chords = chordProgression(2, 'major', seconds, rate);
  const clicks = clickTrack(120, seconds, rate);
  const voice = new Float32Array(seconds * rate).map(
    (_, i) =>
      0.15 *
      Math.sin(2 * Math.PI * (660 * (i / rate) + 3 * Math.sin(2 * Math.PI * 5 * (i / rate)))),
  );
  // Chords hard left/right (different voicing per side), drums and voice in the centre.
  const left = chords.map((v, i) => v + clicks[i]! + voice[i]!);
  const right = chordProgression(2, 'major', seconds, rate).map(
    (v, i) => 0.3 * v + clicks[i]! + voice[i]!,
  );

  it('splits a mixture of known stems with positive SDR, and the stems sum to the mixture', async () => {
    const sep = createDspSeparator();
    const stems = await sep.separate({ audio: { sampleRate: rate, channels: [left, right] } });
    expect(Object.keys(stems)).toEqual(['vocals', 'drums', 'other']);
    const drumsSdr = sdr(clicks, stems.drums!.channels[0]!);
    const vocalSdr = sdr(voice, stems.vocals!.channels[0]!);
    const mixSdr = sdr(clicks, left); // doing nothing
    expect(drumsSdr).toBeGreaterThan(mixSdr + 6);
    expect(vocalSdr).toBeGreaterThan(sdr(voice, left) + 3);
    const sum = left.map(
      (_, i) =>
        stems.vocals!.channels[0]![i]! +
        stems.drums!.channels[0]![i]! +
        stems.other!.channels[0]![i]!,
    );
    expect(sdr(left, sum)).toBeGreaterThan(60);
  });

  it('writes stems as WAV files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaultmark-stems-'));
    const stems = await createDspSeparator().separate({
      audio: { sampleRate: rate, channels: [left.subarray(0, rate)] },
    });
    const paths = await writeStems(stems, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
      'vocals.wav',
      'drums.wav',
      'other.wav',
    ]);
    expect(readWav(readFileSync(paths[1]!)).channels[0]!.length).toBe(rate);
    // mono: no stereo cue, so no vocals
    expect(Math.max(...stems.vocals!.channels[0]!)).toBe(0);
  });
});
