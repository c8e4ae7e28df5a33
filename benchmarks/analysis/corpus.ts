/**
 * The labelled corpus, generated from first principles: click tracks of known tempo, additive
 * chord progressions of known key, and MIDI songs (drums, bass, chords, melody) of known tempo and
 * key rendered with fluidsynth and the FluidR3 General MIDI soundfont (Debian fluid-soundfont-gm).
 * Nothing here is committed as audio; `generateCorpus` writes WAVs into a scratch directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '@vaultmark/analysis';
import { chordProgression, clickTrack } from '../../packages/analysis/test/synth.js';
import { encodeMidi, type MidiNote } from './midi.js';

export interface CorpusItem {
  id: string;
  kind: 'click' | 'chords' | 'midi';
  path: string;
  /** Ground truth; absent where the item does not define it. */
  bpm?: number;
  key?: { tonic: number; mode: 'major' | 'minor' };
  seconds: number;
}

export const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const RATE = 44100;

/** Deterministic generator (LCG) so the corpus is the same on every machine. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Key signature (fifths) of a key: C major 0, G major 1, ..., relative minors share it. */
function fifthsOf(tonic: number, mode: 'major' | 'minor'): number {
  const major = mode === 'major' ? tonic : (tonic + 3) % 12;
  const f = (major * 7) % 12;
  return f > 6 ? f - 12 : f;
}

/** A MIDI song: 4/4 drums, bass on chord roots, sustained chords and a scale-tone melody. */
export function midiSong(
  bpm: number,
  tonic: number,
  mode: 'major' | 'minor',
  bars: number,
  seed: number,
  options: { channels?: number[]; pans?: Record<number, number> } = {},
): Uint8Array {
  const r = rng(seed);
  const div = 480;
  const notes: MidiNote[] = [];
  const scale = mode === 'major' ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 11];
  // Progressions by scale degree (0-based), one chord per bar.
  const progressions =
    mode === 'major'
      ? [
          [0, 3, 4, 0],
          [0, 5, 3, 4],
          [0, 4, 5, 3],
        ]
      : [
          [0, 3, 4, 0],
          [0, 5, 3, 4],
          [0, 3, 6, 4],
        ];
  const prog = progressions[Math.floor(r() * progressions.length)]!;
  const triad = (degree: number) =>
    [0, 2, 4].map((step) => {
      const idx = degree + step;
      return scale[idx % 7]! + 12 * Math.floor(idx / 7);
    });
  const style = Math.floor(r() * 3); // 0: rock, 1: half-time feel with busy hats, 2: four on the floor
  for (let bar = 0; bar < bars; bar++) {
    const t0 = bar * 4 * div;
    const degree = prog[bar % prog.length]!;
    const chord = triad(degree);
    for (const pc of chord) {
      notes.push({
        tick: t0,
        length: 4 * div - 10,
        channel: 0,
        note: 60 + tonic + pc - (tonic > 6 ? 12 : 0),
        velocity: 70,
      });
    }
    for (let beat = 0; beat < 4; beat++) {
      notes.push({
        tick: t0 + beat * div,
        length: div - 20,
        channel: 1,
        note: 36 + tonic + chord[0]!,
        velocity: 90,
      });
      // melody: a chord or scale tone per beat
      const step = Math.floor(r() * 7);
      notes.push({
        tick: t0 + beat * div,
        length: div - 20,
        channel: 2,
        note: 72 + tonic + scale[step]! - (tonic > 6 ? 12 : 0),
        velocity: 60,
      });
    }
    for (let e = 0; e < 8; e++) {
      const tick = t0 + e * (div / 2);
      const onBeat = e % 2 === 0;
      const beat = e >> 1;
      if (style === 2 ? onBeat : onBeat && (beat === 0 || beat === 2)) {
        notes.push({ tick, length: 60, channel: 9, note: 36, velocity: 110 });
      }
      if (onBeat && (beat === 1 || beat === 3))
        notes.push({ tick, length: 60, channel: 9, note: 38, velocity: 105 });
      notes.push({ tick, length: 40, channel: 9, note: 42, velocity: onBeat ? 70 : 50 });
    }
  }
  const programs = {
    0: [0, 4, 48, 19][Math.floor(r() * 4)]!,
    1: [33, 34, 38][Math.floor(r() * 3)]!,
    2: [73, 56, 65, 11][Math.floor(r() * 4)]!,
  };
  return encodeMidi({
    division: div,
    bpm,
    keySignature: { fifths: fifthsOf(tonic, mode), minor: mode === 'minor' },
    programs,
    pans: options.pans,
    notes: options.channels ? notes.filter((n) => options.channels!.includes(n.channel)) : notes,
  });
}

export interface CorpusOptions {
  dir: string;
  /** Fewer items for a quick run. */
  quick?: boolean;
  /** Seed of the MIDI songs; a different seed gives a disjoint tuning set. Default 2024. */
  seed?: number;
  /** Number of MIDI songs (default 36, quick 6). */
  songs?: number;
  /**
   * Seed each song's generator with a hash of `seed * 1000 + index` instead of the number itself.
   * The LCG's first output is nearly linear in its seed, so with consecutive seeds every song of
   * a corpus draws the same chord progression: the benchmark corpus (seed 2024) uses I-vi-IV-V and
   * i-VI-iv-V throughout, seed 77 I-IV-V-I and i-iv-V-i. Tuning corpora set this so that all
   * progressions occur; the benchmark corpus keeps the plain seeds, so its audio and figures stay
   * comparable between runs. Default false.
   */
  mixSongSeeds?: boolean;
}

/** Murmur3's 32-bit finalizer: spreads consecutive integers over the whole 32-bit range. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Writes the corpus WAVs (and MIDI sources) under `dir` and returns the labelled items. */
export function generateCorpus(options: CorpusOptions): CorpusItem[] {
  const { dir, quick } = options;
  mkdirSync(dir, { recursive: true });
  const items: CorpusItem[] = [];
  const seed = options.seed ?? 2024;
  const r = rng(seed);
  const clickTempos = quick
    ? [62, 96, 128, 171]
    : [60, 66, 74, 83, 92, 100, 110, 121, 133, 147, 162, 178, 190, 200];
  for (const bpm of clickTempos) {
    const path = join(dir, `click-${bpm}.wav`);
    if (!existsSync(path)) {
      writeFileSync(path, encodeWav({ sampleRate: RATE, channels: [clickTrack(bpm, 20, RATE)] }));
    }
    items.push({ id: `click-${bpm}`, kind: 'click', path, bpm, seconds: 20 });
  }
  const keys = quick ? 6 : 24;
  for (let i = 0; i < keys; i++) {
    const tonic = (i * 7) % 12;
    const mode = i % 2 ? 'minor' : 'major';
    const path = join(dir, `chords-${tonic}-${mode}.wav`);
    if (!existsSync(path)) {
      writeFileSync(
        path,
        encodeWav({ sampleRate: RATE, channels: [chordProgression(tonic, mode, 16, RATE)] }),
      );
    }
    items.push({
      id: `chords-${tonic}-${mode}`,
      kind: 'chords',
      path,
      key: { tonic, mode },
      seconds: 16,
    });
  }
  const songs = options.songs ?? (quick ? 6 : 36);
  for (let i = 0; i < songs; i++) {
    const bpm = Math.round(62 + r() * 136);
    const tonic = Math.floor(r() * 12);
    const mode = r() < 0.5 ? 'major' : 'minor';
    const bars = Math.max(8, Math.round((30 * bpm) / 240));
    const id = `midi-${String(i).padStart(2, '0')}-${bpm}-${tonic}${mode === 'major' ? 'maj' : 'min'}`;
    const mid = join(dir, `${id}.mid`);
    const path = join(dir, `${id}.wav`);
    if (!existsSync(path)) {
      const songSeed = options.mixSongSeeds ? mix32(seed * 1000 + i) : seed * 1000 + i;
      writeFileSync(mid, midiSong(bpm, tonic, mode, bars, songSeed));
      execFileSync(
        'fluidsynth',
        ['-ni', '-q', '-g', '0.6', '-r', String(RATE), '-F', path, SOUNDFONT, mid],
        {
          stdio: 'ignore',
        },
      );
    }
    items.push({
      id,
      kind: 'midi',
      path,
      bpm,
      key: { tonic, mode },
      seconds: (bars * 4 * 60) / bpm,
    });
  }
  return items;
}

/** A song rendered as separate stems (same MIDI, one channel group each) and their mixture. */
export interface StemItem {
  id: string;
  mixture: string;
  stems: Record<'vocals' | 'drums' | 'other', string>;
}

/**
 * Known-stems material for separation: each song's melody (a lead instrument standing in for a
 * voice, centred), drums (centred) and accompaniment (chords panned left, bass right) rendered
 * separately; the mixture is their sum, written by the caller.
 */
export function generateStemSongs(dir: string, count: number): StemItem[] {
  mkdirSync(dir, { recursive: true });
  const items: StemItem[] = [];
  const pans = { 0: 20, 1: 100, 2: 64, 9: 64 };
  const groups = { vocals: [2], drums: [9], other: [0, 1] } as const;
  for (let i = 0; i < count; i++) {
    const bpm = 90 + i * 17;
    const id = `stems-${i}-${bpm}`;
    const stems = {} as Record<'vocals' | 'drums' | 'other', string>;
    for (const [name, channels] of Object.entries(groups)) {
      const path = join(dir, `${id}-${name}.wav`);
      if (!existsSync(path)) {
        const mid = join(dir, `${id}-${name}.mid`);
        writeFileSync(
          mid,
          midiSong(bpm, (i * 5) % 12, 'major', 8, 9000 + i, { channels: [...channels], pans }),
        );
        execFileSync(
          'fluidsynth',
          ['-ni', '-q', '-g', '0.5', '-r', String(RATE), '-F', path, SOUNDFONT, mid],
          {
            stdio: 'ignore',
          },
        );
      }
      stems[name as 'vocals' | 'drums' | 'other'] = path;
    }
    items.push({ id, mixture: join(dir, `${id}-mix.wav`), stems });
  }
  return items;
}
