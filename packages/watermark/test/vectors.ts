import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DetectResult, PcmAudio } from '../src/index.js';
import { changeSpeed, syntheticMusic, testKey } from './signals.js';

/**
 * Test vectors shared by both implementations (test/vectors/vectors.json): deterministic 16-bit
 * inputs, keys, payloads, the SHA-256 of the 16-bit input (so a changed generator is caught) and
 * of the TypeScript path's 16-bit embedded output, and the expected detection decisions, which
 * follow from how each case is built (the embedded payload; nothing for unmarked audio or a
 * wrong key), not from running the detector.
 */
export interface Vector {
  name: string;
  signal: { seconds: number; sampleRate: number; channels: number; seed: number };
  inputSha256: string;
  key: KeySpec;
  payload: string;
  strength?: number;
  embeddedSha256: string;
  cases: DetectCase[];
}

/** A key derived by `testKey(name, seed)`. */
export interface KeySpec {
  name: string;
  seed: number;
}

/** One detection of a vector: which audio, which keys, and the expected decision. */
export interface DetectCase {
  name: string;
  /** `marked`, `unmarked` or `speed:<factor>` (the marked audio played faster, pitch moving). */
  audio: string;
  keys: KeySpec[];
  payloadBits?: number;
  expect: { found: boolean; payloads: string[] };
}

/** The vectors file: tolerance of the native embedder and the vectors. */
export interface VectorFile {
  embedToleranceLsb16: number;
  vectors: Vector[];
}

/** Reads test/vectors/vectors.json. */
export function loadVectors(): VectorFile {
  return JSON.parse(
    readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8'),
  ) as VectorFile;
}

/** Rounds to 16-bit PCM values (as a WAV file would hold them). */
export function quantize16(channels: Float32Array[]): Float32Array[] {
  return channels.map((ch) =>
    Float32Array.from(ch, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))) / 32768),
  );
}

/** SHA-256 (hex) of interleaved little-endian 16-bit PCM of `channels`. */
export function pcm16Sha256(channels: Float32Array[]): string {
  const n = (channels[0] as Float32Array).length;
  const bytes = new Uint8Array(n * channels.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels.length; c++) {
      const v = Math.max(-32768, Math.min(32767, Math.round((channels[c]![i] as number) * 32768)));
      view.setInt16((i * channels.length + c) * 2, v, true);
    }
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/** The 16-bit input of a vector. */
export function vectorInput(v: Vector): PcmAudio {
  const audio = syntheticMusic(v.signal);
  return { sampleRate: audio.sampleRate, channels: quantize16(audio.channels) };
}

/** The fixed test key of a key spec. */
export function vectorKey(k: KeySpec): ReturnType<typeof testKey> {
  return testKey(k.name, k.seed);
}

/** The audio a detection case analyses. */
export function caseAudio(c: DetectCase, input: PcmAudio, marked: PcmAudio): PcmAudio {
  if (c.audio === 'unmarked') return input;
  if (c.audio === 'marked') return marked;
  const speed = /^speed:([0-9.]+)$/.exec(c.audio);
  if (!speed) throw new Error(`unknown case audio ${c.audio}`);
  const factor = Number(speed[1]);
  return {
    sampleRate: marked.sampleRate,
    channels: marked.channels.map((ch) => changeSpeed(ch, factor)),
  };
}

/** The decision part of a detection result. */
export function decision(r: DetectResult): { found: boolean; payloads: string[] } {
  return { found: r.found, payloads: r.matches.map((m) => m.payload) };
}
