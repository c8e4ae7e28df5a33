/** The attack matrix: each attack maps marked 44.1 kHz stereo float audio to what a leak looks like. */
import { ffmpegChain, type Pcm, soxChain } from './audio-io.js';

export interface Attack {
  id: string;
  label: string;
  /**
   * 'acceptance' attacks are required; 'stretch' goals go beyond the reference; 'leak' attacks are
   * the edits of copies shared on social media (pitch, tempo, large speed changes, low bitrates).
   */
  group: 'acceptance' | 'stretch' | 'leak';
  /** Included in `--quick` runs. */
  quick?: boolean;
  apply(audio: Pcm, rnd: () => number): Pcm;
}

const R = 44100;
const ff =
  (args: string[], format: string, outRate = R, outCh = 2) =>
  (a: Pcm) =>
    ffmpegChain(a, args, format, outRate, outCh);

/** Random excerpt of `seconds` at a random, non-frame-aligned offset. */
export function excerpt(audio: Pcm, seconds: number, rnd: () => number): Pcm {
  const n = (audio.channels[0] as Float32Array).length;
  const len = Math.min(n, Math.round(seconds * audio.sampleRate));
  const start = Math.floor(rnd() * (n - len));
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((c) => c.slice(start, start + len)),
  };
}

function addNoise(audio: Pcm, snrDb: number, rnd: () => number): Pcm {
  let e = 0;
  let n = 0;
  for (const ch of audio.channels)
    for (const v of ch) {
      e += v * v;
      n++;
    }
  const rms = Math.sqrt(e / n) / 10 ** (snrDb / 20);
  const a = rms * Math.sqrt(3);
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((ch) => ch.map((v) => v + a * (2 * rnd() - 1))),
  };
}

/** MP3 at `kbps` through ffmpeg's LAME (also the squeeze of the collusion suite's second pass). */
export const mp3 = (kbps: number) => ff(['-c:a', 'libmp3lame', '-b:a', `${kbps}k`], 'mp3');
const aac = (kbps: number, outCh = 2) =>
  ff(['-c:a', 'aac', '-b:a', `${kbps}k`, '-ac', String(outCh)], 'adts', R, outCh);
/** sox effects, same rate and channels (sox resamples back after `speed`). */
const sox =
  (...effects: string[]) =>
  (a: Pcm) =>
    soxChain(a, effects);
const sign = (x: number) => (x > 0 ? `+${x}` : `−${-x}`);
const speed = (s: number) => ff(['-af', `asetrate=${Math.round(R * s)},aresample=${R}`], 'f32le');

export const ATTACKS: Attack[] = [
  { id: 'none', label: 'no attack', group: 'acceptance', quick: true, apply: (a) => a },
  { id: 'mp3-128', label: 'MP3 128 kbps', group: 'acceptance', quick: true, apply: mp3(128) },
  { id: 'mp3-64', label: 'MP3 64 kbps', group: 'acceptance', apply: mp3(64) },
  {
    id: 'aac-128',
    label: 'AAC 128 kbps',
    group: 'acceptance',
    apply: ff(['-c:a', 'aac', '-b:a', '128k'], 'adts'),
  },
  {
    id: 'vorbis-q2',
    label: 'Ogg Vorbis q2',
    group: 'acceptance',
    apply: ff(['-c:a', 'libvorbis', '-q:a', '2'], 'ogg'),
  },
  {
    id: 'opus-64',
    label: 'Opus 64 kbps',
    group: 'acceptance',
    apply: ff(['-c:a', 'libopus', '-b:a', '64k'], 'ogg'),
  },
  {
    id: 'resample-48k',
    label: 'resample to 48 kHz',
    group: 'acceptance',
    apply: ff(['-ar', '48000'], 'f32le', 48000),
  },
  {
    id: 'resample-22k',
    label: 'resample to 22.05 kHz',
    group: 'acceptance',
    apply: ff(['-ar', '22050'], 'f32le', 22050),
  },
  {
    id: 'gain-6',
    label: 'gain −6 dB',
    group: 'acceptance',
    apply: ff(['-af', 'volume=-6dB'], 'f32le'),
  },
  {
    id: 'gain+3-clip',
    label: 'gain +3 dB with clipping (16-bit)',
    group: 'acceptance',
    apply: ff(['-af', 'volume=3dB', '-c:a', 'pcm_s16le'], 's16le'),
  },
  {
    id: 'mono',
    label: 'mono downmix',
    group: 'acceptance',
    apply: ff(['-ac', '1'], 'f32le', R, 1),
  },
  {
    id: 'noise-30',
    label: 'white noise, 30 dB SNR',
    group: 'acceptance',
    apply: (a, rnd) => addNoise(a, 30, rnd),
  },
  {
    id: 'lowpass-4k',
    label: '4 kHz low-pass',
    group: 'acceptance',
    apply: ff(['-af', 'lowpass=f=4000'], 'f32le'),
  },
  {
    id: 'excerpt-30',
    label: '30-s excerpt, random offset',
    group: 'acceptance',
    apply: (a, rnd) => excerpt(a, 30, rnd),
  },
  ...[30, 20, 10, 5].map(
    (s): Attack => ({
      id: `excerpt-${s}-mp3`,
      label: `${s}-s excerpt + MP3 128 kbps`,
      group: 'acceptance',
      quick: s === 10,
      apply: (a, rnd) => mp3(128)(excerpt(a, s, rnd)),
    }),
  ),
  { id: 'speed+0.5', label: 'speed +0.5%', group: 'acceptance', apply: speed(1.005) },
  { id: 'speed-0.5', label: 'speed −0.5%', group: 'acceptance', apply: speed(0.995) },
  { id: 'speed+1', label: 'speed +1%', group: 'acceptance', quick: true, apply: speed(1.01) },
  { id: 'speed-1', label: 'speed −1%', group: 'acceptance', apply: speed(0.99) },
  {
    id: 'tempo+1',
    label: 'tempo +1% (sox, pitch kept)',
    group: 'acceptance',
    quick: true,
    apply: (a) => soxChain(a, ['tempo', '1.01']),
  },
  {
    id: 'tempo-1',
    label: 'tempo −1% (sox, pitch kept)',
    group: 'acceptance',
    apply: (a) => soxChain(a, ['tempo', '0.99']),
  },
  { id: 'speed+5', label: 'speed +5%', group: 'stretch', apply: speed(1.05) },
  { id: 'speed-5', label: 'speed −5%', group: 'stretch', apply: speed(0.95) },
  {
    id: 'excerpt-3-mp3',
    label: '3-s excerpt + MP3 128 kbps',
    group: 'stretch',
    apply: (a, rnd) => mp3(128)(excerpt(a, 3, rnd)),
  },
  {
    id: 'analog',
    label: 'band-pass 100 Hz–8 kHz + noise 30 dB + speed 0.3%',
    group: 'stretch',
    apply: (a, rnd) =>
      speed(1.003)(addNoise(ff(['-af', 'highpass=f=100,lowpass=f=8000'], 'f32le')(a), 30, rnd)),
  },
  ...[1, -1, 2, -2].map(
    (n): Attack => ({
      id: `pitch${n > 0 ? '+' : ''}${n}`,
      label: `pitch ${sign(n)} semitone${Math.abs(n) > 1 ? 's' : ''} (sox pitch, tempo kept)`,
      group: 'leak',
      quick: n === 1,
      apply: sox('pitch', String(100 * n)),
    }),
  ),
  ...[5, -5, 8, -8].map(
    (p): Attack => ({
      id: `tempo${p > 0 ? '+' : ''}${p}`,
      label: `tempo ${sign(p)}% (sox tempo, pitch kept)`,
      group: 'leak',
      quick: p === 5,
      apply: sox('tempo', String(1 + p / 100)),
    }),
  ),
  ...[10, -10, 15, -15].map(
    (p): Attack => ({
      id: `sox-speed${p > 0 ? '+' : ''}${p}`,
      label: `speed ${sign(p)}% (sox speed, pitch moves)`,
      group: 'leak',
      apply: sox('speed', String(1 + p / 100)),
    }),
  ),
  {
    id: 'nightcore',
    label: '"nightcore": 25-s excerpt, speed +12%, AAC 96 kbps',
    group: 'leak',
    quick: true,
    apply: (a, rnd) => aac(96)(sox('speed', '1.12')(excerpt(a, 25, rnd))),
  },
  { id: 'mp3-32', label: 'MP3 32 kbps', group: 'leak', apply: mp3(32) },
  { id: 'aac-48-mono', label: 'AAC 48 kbps mono', group: 'leak', apply: aac(48, 1) },
  ...[30, 20].map(
    (s): Attack => ({
      id: `excerpt-${s}-mp3-32`,
      label: `${s}-s excerpt + MP3 32 kbps`,
      group: 'leak',
      apply: (a, rnd) => mp3(32)(excerpt(a, s, rnd)),
    }),
  ),
  {
    id: 'speed+10-mp3-32',
    label: 'speed +10% (sox speed), then MP3 32 kbps',
    group: 'leak',
    apply: (a) => mp3(32)(sox('speed', '1.10')(a)),
  },
  {
    id: 'tempo-5-mp3-32',
    label: 'tempo −5% (sox tempo), then MP3 32 kbps',
    group: 'leak',
    apply: (a) => mp3(32)(sox('tempo', '0.95')(a)),
  },
];
