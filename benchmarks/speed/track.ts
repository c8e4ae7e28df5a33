/**
 * The benchmark track: a corpus recording (benchmarks/watermark/corpus.ts, 44.1 kHz stereo)
 * repeated end to end up to the requested length, produced in chunks so that no run ever holds
 * the whole track; and the 16-bit WAV files the detector and audiowmark read.
 */
import { openAudioSink } from '@vaultmark/analysis';
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

/** Writes chunks as a 16-bit 44.1 kHz stereo WAV file with the shared audio layer. */
export async function writeWav16(path: string, chunks: Iterable<Float32Array[]>): Promise<void> {
  const sink = await openAudioSink(path, {
    sampleRate: RATE,
    channelCount: CHANNELS,
    format: { encoding: 'pcm', bitsPerSample: 16 },
  });
  for (const chunk of chunks) await sink.write(chunk);
  await sink.close();
}
