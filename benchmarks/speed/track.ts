/**
 * The benchmark track: a corpus recording (benchmarks/watermark/corpus.ts, 44.1 kHz stereo)
 * repeated end to end up to the requested length, produced in chunks so that no run ever holds
 * the whole track; and 16-bit interleaved raw files for the marked copies the detector reads.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { readWav } from '../watermark/audio-io.js';
import { CORPUS, fullWav } from '../watermark/corpus.js';

export const RATE = 44_100;
export const CHANNELS = 2;
/** Samples per chunk fed to the streaming embedder and detector (1 s). */
export const CHUNK = RATE;

/** The corpus entry the track is built from. */
export const SOURCE = CORPUS[1] as (typeof CORPUS)[number];

/** Loads the source recording (planar float, 44.1 kHz stereo). */
export function loadSource(): Float32Array[] {
  const pcm = readWav(fullWav(SOURCE));
  if (pcm.sampleRate !== RATE || pcm.channels.length !== CHANNELS) {
    throw new Error(`${SOURCE.id}: expected 44.1 kHz stereo`);
  }
  return pcm.channels;
}

/** Chunks of `seconds` of the source repeated end to end; each chunk is freshly allocated. */
export function* tiledChunks(source: Float32Array[], seconds: number): Generator<Float32Array[]> {
  const total = Math.round(seconds * RATE);
  const len = (source[0] as Float32Array).length;
  for (let pos = 0; pos < total; pos += CHUNK) {
    const n = Math.min(CHUNK, total - pos);
    const chunk = source.map(() => new Float32Array(n));
    for (let i = 0; i < n; ) {
      const at = (pos + i) % len;
      const take = Math.min(n - i, len - at);
      source.forEach((ch, c) => {
        (chunk[c] as Float32Array).set(ch.subarray(at, at + take), i);
      });
      i += take;
    }
    yield chunk;
  }
}

/** Appends planar float chunks as 16-bit little-endian interleaved PCM. */
export class RawWriter {
  private readonly fd: number;
  constructor(path: string, flags: 'w' | 'a' = 'w') {
    this.fd = openSync(path, flags);
  }
  write(chunk: Float32Array[]): void {
    const n = (chunk[0] as Float32Array).length;
    const buf = Buffer.alloc(n * chunk.length * 2);
    for (let i = 0; i < n; i++) {
      chunk.forEach((ch, c) => {
        const v = Math.round((ch[i] as number) * 32768);
        buf.writeInt16LE(Math.max(-32768, Math.min(32767, v)), (i * chunk.length + c) * 2);
      });
    }
    writeSync(this.fd, buf);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a 16-bit interleaved raw file in planar float chunks of {@link CHUNK} samples. */
export function* rawChunks(path: string): Generator<Float32Array[]> {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(CHUNK * CHANNELS * 2);
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      const n = Math.floor(got / (CHANNELS * 2));
      if (n === 0) return;
      const chunk = Array.from({ length: CHANNELS }, () => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < CHANNELS; c++) {
          (chunk[c] as Float32Array)[i] = buf.readInt16LE((i * CHANNELS + c) * 2) / 32768;
        }
      }
      yield chunk;
    }
  } finally {
    closeSync(fd);
  }
}

/** A 16-bit PCM WAV header for `frames` frames of 44.1 kHz stereo (for the audiowmark runs). */
export function wavHeader(frames: number): Buffer {
  const data = frames * CHANNELS * 2;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(CHANNELS, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * CHANNELS * 2, 28);
  h.writeUInt16LE(CHANNELS * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data, 40);
  return h;
}
