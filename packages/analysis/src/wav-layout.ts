import type { SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';
import { checkSampleFormat, encodeFrames } from './sample-codec.js';
import { DEFAULT_WAV_FORMAT, needsRf64, wavHeader } from './wav-write.js';

/**
 * The byte layout of a WAV file whose length is known before any sample exists: a server can
 * answer a byte range of it by rendering only the samples the range covers.
 */
export interface WavLayout {
  /** The header: the same bytes {@link openAudioSink} writes for this length and format. */
  header: Uint8Array;
  /** Byte offset of the first sample (the header's length). */
  dataOffset: number;
  /** Bytes per interleaved frame. */
  blockAlign: number;
  /** Size of the whole file in bytes (header, samples, and a pad byte when the data is odd). */
  size: number;
  format: SampleFormat;
  /**
   * Interleaved sample bytes of frames [from, to) of planar `channels`, rounded to the nearest
   * integer without dither and clipped: the bytes of a frame never depend on which range asked
   * for it, so any two renderings of the same samples agree byte for byte.
   */
  encode(channels: readonly Float32Array[], from: number, to: number): Uint8Array;
}

/** The layout of a WAV of `frames` frames (RF64 beyond 4 GiB of data; default 16-bit PCM). */
export function wavLayout(spec: {
  sampleRate: number;
  channelCount: number;
  frames: number;
  format?: SampleFormat;
}): WavLayout {
  const format = spec.format ?? DEFAULT_WAV_FORMAT;
  checkSampleFormat(format);
  const nch = spec.channelCount;
  if (!(Number.isInteger(nch) && nch >= 1)) {
    throw new AnalysisError('invalid_argument', 'a WAV needs at least one channel');
  }
  if (!(Number.isInteger(spec.frames) && spec.frames >= 0)) {
    throw new AnalysisError('invalid_argument', 'the frame count must be a whole number ≥ 0');
  }
  const blockAlign = nch * (format.bitsPerSample >> 3);
  const dataBytes = spec.frames * blockAlign;
  const header = wavHeader(format, nch, spec.sampleRate, dataBytes, needsRf64(dataBytes));
  return {
    header,
    dataOffset: header.length,
    blockAlign,
    size: header.length + dataBytes + (dataBytes & 1),
    format,
    encode(channels, from, to) {
      if (channels.length !== nch) {
        throw new AnalysisError(
          'invalid_argument',
          `expected ${nch} channels, got ${channels.length}`,
        );
      }
      const frames = Math.max(0, to - from);
      const out = new Uint8Array(frames * blockAlign);
      encodeFrames(new DataView(out.buffer), channels, from, frames, format, {
        kind: 'none',
        state: new Uint32Array(1),
      });
      return out;
    },
  };
}
