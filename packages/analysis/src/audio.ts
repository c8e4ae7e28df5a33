/** How samples are stored in a file. */
export interface SampleFormat {
  /** Integer PCM or IEEE float. */
  encoding: 'pcm' | 'float';
  /** 8, 16, 24 or 32 for PCM; 32 or 64 for float. */
  bitsPerSample: number;
}

/** Decoded audio: one planar `Float32Array` per channel, nominally in [-1, 1). */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
  /** The sample format of the source (for ffmpeg-decoded input, the format ffmpeg delivered). */
  format: SampleFormat;
}

/** Audio for analysis: planar channels and a sample rate. */
export interface AudioInput {
  sampleRate: number;
  channels: readonly Float32Array[];
}

/** Averages all channels into one mono signal (a new array). */
export function mixToMono(audio: AudioInput): Float32Array {
  const { channels } = audio;
  const first = channels[0];
  if (!first) return new Float32Array(0);
  const n = first.length;
  const out = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) + (ch[i] ?? 0);
  const scale = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) * scale;
  return out;
}
