import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioInput, SampleFormat } from './audio.js';
import { AnalysisError } from './errors.js';
import { medianFilter } from './median.js';
import { forwardStft, inverseStft } from './stft.js';
import { encodeWav } from './wav-write.js';

/** Separated stems by name (e.g. `vocals`, `drums`, `other`), each with the input's channels. */
export type Stems = Record<string, AudioInput>;

/**
 * A source separator. The DSP implementation here is one; an operator can supply another (for
 * instance one that runs a model file they provide) with the same contract: stems have the input's
 * sample rate, channel count and length.
 */
export interface StemSeparator {
  readonly name: string;
  /** Names of the stems `separate` returns, in a stable order. */
  readonly stemNames: readonly string[];
  separate(args: { audio: AudioInput; signal?: AbortSignal }): Promise<Stems>;
}

/** Tuning of {@link createDspSeparator}. */
export interface DspSeparatorOptions {
  /** STFT size (power of two). Default 2048. */
  frameSize?: number;
  /** Median length across time for the harmonic estimate, in frames (odd). Default 17. */
  harmonicWidth?: number;
  /** Median length across frequency for the percussive estimate, in bins (odd). Default 17. */
  percussiveWidth?: number;
  /** Exponent sharpening the stereo-centre measure used for vocals. Default 8. */
  centreExponent?: number;
  /** Band (Hz) in which centred harmonic content counts as vocals. Default [150, 7000]. */
  vocalBand?: [number, number];
}

/** Seconds of audio separated per segment, and context on each side (keeps memory bounded). */
const SEGMENT_SECONDS = 20;
const MARGIN_SECONDS = 1;

/**
 * A DSP separator into `vocals`, `drums` and `other`:
 * - harmonic/percussive split by median filtering of the mid spectrogram (Fitzgerald 2010) with
 *   Wiener-style soft masks: `drums` is the percussive part;
 * - the harmonic part is split by stereo position: time-frequency cells where left and right agree
 *   (centre-panned) inside the vocal band go to `vocals`, the rest to `other`.
 * The masks sum to one, so the stems add back up to the input. Mono input has no stereo cue: its
 * `vocals` stem is silent and `other` holds all harmonic content.
 */
export function createDspSeparator(options: DspSeparatorOptions = {}): StemSeparator {
  const size = options.frameSize ?? 2048;
  const hw = options.harmonicWidth ?? 17;
  const pw = options.percussiveWidth ?? 17;
  const exponent = options.centreExponent ?? 8;
  const band = options.vocalBand ?? [150, 7000];
  return {
    name: 'dsp-hpss-centre',
    stemNames: ['vocals', 'drums', 'other'],
    async separate({ audio, signal }) {
      const nch = audio.channels.length;
      if (nch === 0) throw new AnalysisError('invalid_argument', 'audio has no channels');
      const n = audio.channels[0]!.length;
      const out: Stems = {};
      for (const name of ['vocals', 'drums', 'other']) {
        out[name] = {
          sampleRate: audio.sampleRate,
          channels: Array.from({ length: nch }, () => new Float32Array(n)),
        };
      }
      const seg = Math.round(SEGMENT_SECONDS * audio.sampleRate);
      const margin = Math.round(MARGIN_SECONDS * audio.sampleRate);
      for (let start = 0; start < n; start += seg) {
        if (signal?.aborted) throw new AnalysisError('aborted', 'separation aborted');
        const lo = Math.max(0, start - margin);
        const hi = Math.min(n, start + seg + margin);
        const parts = separateBlock(
          audio.channels.map((c) => c.subarray(lo, hi)),
          audio.sampleRate,
          { size, hw, pw, exponent, band },
        );
        const keep = Math.min(seg, n - start);
        for (const name of Object.keys(parts)) {
          const block = parts[name]!;
          for (let c = 0; c < nch; c++) {
            out[name]!.channels[c]!.set(block[c]!.subarray(start - lo, start - lo + keep), start);
          }
        }
        await new Promise((r) => setImmediate(r));
      }
      return out;
    },
  };
}

function separateBlock(
  channels: Float32Array[],
  sampleRate: number,
  p: { size: number; hw: number; pw: number; exponent: number; band: [number, number] },
): Record<string, Float32Array[]> {
  const specs = channels.map((c) => forwardStft(c, p.size));
  const { frames, bins } = specs[0]!;
  const cells = frames * bins;
  // Mid magnitude drives the harmonic/percussive masks.
  const mag = new Float32Array(cells);
  const centre = new Float32Array(cells).fill(channels.length === 2 ? 0 : -1);
  for (let i = 0; i < cells; i++) {
    let re = 0;
    let im = 0;
    let power = 0;
    for (const s of specs) {
      re += s.re[i]!;
      im += s.im[i]!;
      power += s.re[i]! ** 2 + s.im[i]! ** 2;
    }
    mag[i] = Math.hypot(re, im) / specs.length;
    // |L + R|^2 / (2 (|L|^2 + |R|^2)) is 1 for identical channels and 0 for opposite ones.
    if (channels.length === 2) centre[i] = power > 1e-20 ? (re * re + im * im) / (2 * power) : 0;
  }
  const harm = new Float32Array(cells);
  const perc = new Float32Array(cells);
  medianFilter(harm, mag, frames, bins, p.hw, false);
  medianFilter(perc, mag, frames, bins, p.pw, true);
  const kLo = Math.ceil((p.band[0] * p.size) / sampleRate);
  const kHi = Math.floor((p.band[1] * p.size) / sampleRate);
  const masks = {
    vocals: new Float32Array(cells),
    drums: new Float32Array(cells),
    other: new Float32Array(cells),
  };
  for (let i = 0; i < cells; i++) {
    const h2 = harm[i]! ** 2;
    const p2 = perc[i]! ** 2;
    const mh = h2 + p2 > 0 ? h2 / (h2 + p2) : 0.5;
    const k = i % bins;
    const c = centre[i]!;
    const mv = c >= 0 && k >= kLo && k <= kHi ? mh * c ** p.exponent : 0;
    masks.vocals[i] = mv;
    masks.drums[i] = 1 - mh;
    masks.other[i] = mh - mv;
  }
  const result: Record<string, Float32Array[]> = {};
  for (const [name, mask] of Object.entries(masks)) {
    result[name] = specs.map((s, ch) => {
      const masked = { frames, bins, re: new Float32Array(cells), im: new Float32Array(cells) };
      for (let i = 0; i < cells; i++) {
        masked.re[i] = s.re[i]! * mask[i]!;
        masked.im[i] = s.im[i]! * mask[i]!;
      }
      const y = new Float32Array(channels[ch]!.length);
      inverseStft(y, masked, p.size);
      return y;
    });
  }
  return result;
}

/**
 * Writes each stem as `<dir>/<name>.wav` (default 16-bit PCM; use 32-bit float to keep the stems
 * summing exactly to the input). Returns the paths written.
 */
export async function writeStems(
  stems: Stems,
  dir: string,
  format: SampleFormat = { encoding: 'pcm', bitsPerSample: 16 },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, audio] of Object.entries(stems)) {
    const path = join(dir, `${name}.wav`);
    await writeFile(path, encodeWav(audio, format));
    paths.push(path);
  }
  return paths;
}

/** Signal-to-distortion ratio in dB of an estimate against a reference (plain BSS SDR, no filter). */
export function sdr(reference: Float32Array, estimate: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < reference.length; i++) {
    num += reference[i]! ** 2;
    den += (reference[i]! - (estimate[i] ?? 0)) ** 2;
  }
  return 10 * Math.log10(num / (den || 1e-30));
}
