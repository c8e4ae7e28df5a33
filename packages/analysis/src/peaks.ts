import type { AudioInput } from './audio.js';
import { AnalysisError } from './errors.js';

/**
 * Waveform peaks in the data model of the BBC audiowaveform format: per point and per output
 * channel a (min, max) pair on the signed 16-bit scale, whatever `bits` the file will use.
 */
export interface WaveformData {
  sampleRate: number;
  /** Input samples summarized by each point (audiowaveform's "samples per pixel", `--zoom`). */
  samplesPerPixel: number;
  /** Output channels: 1 for a mono mix, or the input channel count when split. */
  channels: number;
  /** Number of points. */
  length: number;
  /** Interleaved `min, max` pairs: point-major, then channel; 16-bit scale (-32768..32767). */
  data: Int16Array;
}

/** How to size the points: exactly one of `zoom` or `pixelsPerSecond` (default zoom 256). */
export interface PeaksScale {
  /** Samples per point, at least 2. */
  zoom?: number;
  /** Points per second of audio; samples per point = floor(sampleRate / pixelsPerSecond). */
  pixelsPerSecond?: number;
}

/** Arguments of {@link computePeaks}. */
export interface ComputePeaksArgs extends PeaksScale {
  audio: AudioInput;
  /** Keep each input channel (true) or average them into one waveform (false, default). */
  splitChannels?: boolean;
}

/** Samples per point for a scale and rate, validated like audiowaveform (minimum 2). */
export function samplesPerPixelFor(scale: PeaksScale, sampleRate: number): number {
  if (scale.zoom !== undefined && scale.pixelsPerSecond !== undefined) {
    throw new AnalysisError('invalid_argument', 'give either zoom or pixelsPerSecond, not both');
  }
  let spp = scale.zoom ?? 256;
  if (scale.pixelsPerSecond !== undefined) {
    if (!(scale.pixelsPerSecond > 0)) {
      throw new AnalysisError('invalid_argument', 'pixelsPerSecond must be positive');
    }
    spp = Math.floor(sampleRate / scale.pixelsPerSecond);
  }
  if (!Number.isInteger(spp) || spp < 2) {
    throw new AnalysisError(
      'invalid_argument',
      `samples per point must be an integer >= 2 (${spp})`,
    );
  }
  return spp;
}

/** Converts a float sample to the 16-bit scale peaks are measured on (round, clamp). */
function toInt16(x: number): number {
  const v = Math.round(x * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0;
}

/** Incremental peaks computation for streamed audio (bounded memory). */
export interface PeaksBuilder {
  /** Adds planar frames (a chunk from {@link openAudioStream} for instance). */
  push(channels: readonly Float32Array[]): void;
  /** Emits the last partial point and returns the result. */
  finish(): WaveformData;
}

/**
 * Starts an incremental peaks computation. Semantics follow audiowaveform: samples are taken on
 * the 16-bit scale; a mono mix is the integer mean of the channels truncated toward zero; every
 * `samplesPerPixel` frames close a point, and a final partial block makes a last point.
 */
export function createPeaksBuilder(spec: {
  sampleRate: number;
  inputChannels: number;
  samplesPerPixel: number;
  splitChannels?: boolean;
}): PeaksBuilder {
  const nin = spec.inputChannels;
  const nout = spec.splitChannels ? nin : 1;
  const spp = spec.samplesPerPixel;
  const min = new Int32Array(nout).fill(32767);
  const max = new Int32Array(nout).fill(-32768);
  let count = 0;
  let out = new Int16Array(1024);
  let used = 0;
  const emit = () => {
    if (used + 2 * nout > out.length) {
      const bigger = new Int16Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    for (let c = 0; c < nout; c++) {
      out[used++] = min[c]!;
      out[used++] = max[c]!;
      min[c] = 32767;
      max[c] = -32768;
    }
    count = 0;
  };
  return {
    push(channels) {
      if (channels.length !== nin) throw new AnalysisError('invalid_argument', 'channel mismatch');
      const frames = channels[0]?.length ?? 0;
      for (let i = 0; i < frames; i++) {
        if (nout === 1) {
          let sum = 0;
          for (let c = 0; c < nin; c++) sum += toInt16(channels[c]![i]!);
          const s = Math.trunc(sum / nin);
          if (s < min[0]!) min[0] = s;
          if (s > max[0]!) max[0] = s;
        } else {
          for (let c = 0; c < nin; c++) {
            const s = toInt16(channels[c]![i]!);
            if (s < min[c]!) min[c] = s;
            if (s > max[c]!) max[c] = s;
          }
        }
        if (++count === spp) emit();
      }
    },
    finish() {
      if (count > 0) emit();
      return {
        sampleRate: spec.sampleRate,
        samplesPerPixel: spp,
        channels: nout,
        length: used / (2 * nout),
        data: out.slice(0, used),
      };
    },
  };
}

/** Computes waveform peaks of in-memory audio (see {@link createPeaksBuilder} for the rules). */
export function computePeaks(args: ComputePeaksArgs): WaveformData {
  const { audio } = args;
  const builder = createPeaksBuilder({
    sampleRate: audio.sampleRate,
    inputChannels: audio.channels.length,
    samplesPerPixel: samplesPerPixelFor(args, audio.sampleRate),
    splitChannels: args.splitChannels,
  });
  builder.push(audio.channels);
  return builder.finish();
}
