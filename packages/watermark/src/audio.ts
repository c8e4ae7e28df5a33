import { WatermarkError } from './errors.js';
import { checkFormat } from './grid.js';

/**
 * Planar PCM audio: one Float32Array per channel, nominal range [−1, 1], all of equal length.
 * (Named `PcmAudio` to avoid clashing with the Web Audio `AudioBuffer`; `AudioBuffer` is an alias.)
 */
export interface PcmAudio {
  /** Samples per second (8000–192000). */
  sampleRate: number;
  /** 1 to 8 channels of equal length. */
  channels: Float32Array[];
}

/** Alias of {@link PcmAudio}. */
export type AudioBuffer = PcmAudio;

/** Validates rate, channel count and equal channel lengths; returns the length in samples. */
export function checkAudio(audio: PcmAudio): number {
  if (!audio || !Array.isArray(audio.channels)) {
    throw new WatermarkError(
      'unsupported_format',
      'audio must be { sampleRate, channels: Float32Array[] }',
    );
  }
  checkFormat(audio.sampleRate, audio.channels.length);
  const first = audio.channels[0] as Float32Array;
  for (const ch of audio.channels) {
    if (!(ch instanceof Float32Array)) {
      throw new WatermarkError('unsupported_format', 'every channel must be a Float32Array');
    }
    if (ch.length !== first.length) {
      throw new WatermarkError('unsupported_format', 'all channels must have the same length');
    }
  }
  return first.length;
}

/** Validates a streamed chunk (one Float32Array per channel, equal lengths); returns its length. */
export function checkChunk(chunk: Float32Array[], channels: number): number {
  if (!Array.isArray(chunk) || chunk.length !== channels) {
    throw new WatermarkError('unsupported_format', `expected ${channels} channels in each chunk`);
  }
  const n = (chunk[0] as Float32Array).length;
  for (const ch of chunk) {
    if (!(ch instanceof Float32Array) || ch.length !== n) {
      throw new WatermarkError(
        'unsupported_format',
        'chunk channels must be Float32Arrays of equal length',
      );
    }
  }
  return n;
}
