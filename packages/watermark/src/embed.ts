import { checkAudio, checkChunk, type PcmAudio } from './audio.js';
import { convEncode } from './convolutional.js';
import { WatermarkError } from './errors.js';
import { checkFormat, frameOf, frameStart } from './grid.js';
import { activeBackend } from './implementation.js';
import type { WatermarkKey } from './key.js';
import { blockLayout, cellSigns } from './layout.js';
import { DEFAULT_STRENGTH, MAX_STRENGTH, MIN_STRENGTH } from './params.js';
import { buildInfoBlock, payloadBytes } from './payload.js';

/** Options of {@link embed}. */
export interface EmbedOptions {
  /** Key that shapes the mark; the detector needs the same key. */
  key: WatermarkKey;
  /** 32, 64 or 128 bits, as bytes or as a hex string. */
  payload: Uint8Array | string;
  /** Relative band magnitude change in percent (default {@link DEFAULT_STRENGTH}). */
  strength?: number;
}

function checkKey(key: WatermarkKey): void {
  if (!key || !(key.secret instanceof Uint8Array) || key.secret.length < 16) {
    throw new WatermarkError(
      'invalid_key',
      'key must be a WatermarkKey with a secret of ≥ 16 bytes',
    );
  }
}

/** Per-cell signs for `key` and `payload`, and the band gain δ for `strength`. */
function prepare(opts: EmbedOptions): { signs: Int8Array; delta: number } {
  checkKey(opts.key);
  const bytes = payloadBytes(opts.payload);
  const strength = opts.strength ?? DEFAULT_STRENGTH;
  if (!Number.isFinite(strength) || strength < MIN_STRENGTH || strength > MAX_STRENGTH) {
    throw new WatermarkError(
      'invalid_option',
      `strength must be ${MIN_STRENGTH} to ${MAX_STRENGTH} (percent), got ${strength}`,
    );
  }
  const layout = blockLayout(opts.key, bytes.length * 8);
  const coded = convEncode(buildInfoBlock(bytes, layout.whitening));
  return { signs: cellSigns(layout, coded), delta: strength / 100 };
}

/**
 * Returns a watermarked copy of `audio` (same rate, channels and length). Every complete frame
 * carries the mark; a trailing partial frame is copied unchanged. Samples inside [−1, 1] stay inside.
 */
export function embed(audio: PcmAudio, opts: EmbedOptions): PcmAudio {
  const length = checkAudio(audio);
  const { signs, delta } = prepare(opts);
  const engine = activeBackend().frameMarker(audio.sampleRate, signs, delta);
  const channels = audio.channels.map((ch) => new Float32Array(ch.subarray(0, length)));
  engine.processChannels(0, channels);
  return { sampleRate: audio.sampleRate, channels };
}

/** Options of {@link createEmbedder}. */
export interface EmbedderOptions extends EmbedOptions {
  sampleRate: number;
  /** Channel count (1–8). */
  channels: number;
  /** Absolute index (in the whole file) of the first sample that will be pushed. Default 0. */
  startSample?: number;
  /**
   * Return views of output arrays the embedder reuses, valid until the next `push()`: no garbage
   * per chunk, so memory stays flat for a consumer that writes each output before pushing more.
   * Default false (every `push()` returns new arrays).
   */
  reuseOutput?: boolean;
}

/** Streaming embedder returned by {@link createEmbedder}. */
export interface StreamingEmbedder {
  /**
   * Feeds the next samples (one array per channel, equal lengths, any length). Returns the
   * watermarked samples that are ready: output lags input by less than one frame (≤ 1115 samples
   * at 48 kHz, ≤ 4459 at 192 kHz).
   */
  push(chunk: Float32Array[]): Float32Array[];
  /** Returns the remaining samples (a trailing partial frame is passed through unchanged). */
  flush(): Float32Array[];
  /** Absolute index of the next output sample. */
  readonly outputPosition: number;
}

/**
 * Streaming, position-deterministic embedder with bounded memory (one frame per channel).
 *
 * Frames sit on a fixed grid: frame f covers samples [round(f·1024·rate/44100),
 * round((f+1)·1024·rate/44100)). Frame f's output depends only on frame f's input, so feeding
 * the samples [s0, e0) with `startSample = s0` yields exactly the whole-file output on every frame
 * that lies inside [s0, e0). To watermark a range [a, b) on its own, feed the context returned by
 * {@link embedContext}`(rate, a, b)` and keep the part of the output that falls in [a, b).
 * Samples before the first frame boundary ≥ startSample, and a partial frame left at
 * {@link StreamingEmbedder.flush}, are passed through unchanged.
 */
export function createEmbedder(opts: EmbedderOptions): StreamingEmbedder {
  checkFormat(opts.sampleRate, opts.channels);
  const startSample = opts.startSample ?? 0;
  if (!Number.isSafeInteger(startSample) || startSample < 0) {
    throw new WatermarkError('invalid_option', 'startSample must be a non-negative integer');
  }
  const { signs, delta } = prepare(opts);
  const rate = opts.sampleRate;
  const nch = opts.channels;
  const engine = activeBackend().frameMarker(rate, signs, delta);
  // The frame being filled. Before the first boundary we pass samples through ("lead-in").
  let frame = frameOf(startSample, rate);
  let frameBegin = frameStart(frame, rate);
  let marking = frameBegin === startSample;
  if (!marking) {
    frame++;
    frameBegin = frameStart(frame, rate);
  }
  let position = startSample; // absolute index of the next input sample
  let outputPosition = startSample;
  const capacity = Math.ceil((1024 * rate) / 44100) + 2;
  const pending = Array.from({ length: nch }, () => new Float32Array(capacity));
  let pendingLength = 0; // samples of the current frame held in `pending`
  let flushed = false;
  let reusable: Float32Array[] | undefined;
  const outputArrays = (length: number): Float32Array[] => {
    if (!opts.reuseOutput) return Array.from({ length: nch }, () => new Float32Array(length));
    if (!reusable || (reusable[0] as Float32Array).length < length) {
      reusable = Array.from({ length: nch }, () => new Float32Array(length));
    }
    return reusable;
  };

  function push(chunk: Float32Array[]): Float32Array[] {
    if (flushed) throw new WatermarkError('stream_state', 'push() after flush()');
    const n = checkChunk(chunk, nch);
    const out = outputArrays(n + pendingLength);
    let written = 0;
    let i = 0;
    // Lead-in: pass through samples before the first frame boundary.
    if (!marking) {
      const take = Math.min(n, frameBegin - position);
      for (let c = 0; c < nch; c++)
        (out[c] as Float32Array).set((chunk[c] as Float32Array).subarray(0, take), 0);
      written += take;
      i += take;
      position += take;
      if (position === frameBegin) marking = true;
    }
    while (i < n) {
      if (pendingLength === 0) {
        // Whole frames straight from the chunk: copy them to the output and mark them there, all
        // channels in one call (the native path shares their frames out to its threads).
        const runs = out.map((o, c) => {
          const run = o.subarray(written, written + n - i);
          run.set((chunk[c] as Float32Array).subarray(i, n));
          return run;
        });
        const covered = engine.processChannels(frame, runs);
        if (covered > 0) {
          written += covered;
          i += covered;
          position += covered;
          frameBegin += covered;
          while (frameStart(frame, rate) < frameBegin) frame++;
          continue;
        }
      }
      const frameEnd = frameStart(frame + 1, rate);
      const need = frameEnd - frameBegin - pendingLength;
      const take = Math.min(need, n - i);
      for (let c = 0; c < nch; c++) {
        (pending[c] as Float32Array).set(
          (chunk[c] as Float32Array).subarray(i, i + take),
          pendingLength,
        );
      }
      pendingLength += take;
      i += take;
      position += take;
      if (pendingLength === frameEnd - frameBegin) {
        const runs = out.map((o, c) => {
          const run = o.subarray(written, written + pendingLength);
          run.set((pending[c] as Float32Array).subarray(0, pendingLength));
          return run;
        });
        engine.processChannels(frame, runs);
        written += pendingLength;
        pendingLength = 0;
        frame++;
        frameBegin = frameEnd;
      }
    }
    outputPosition += written;
    return out.map((ch) => ch.subarray(0, written));
  }

  function flush(): Float32Array[] {
    if (flushed) return Array.from({ length: nch }, () => new Float32Array(0));
    flushed = true;
    const out = pending.map((ch) => ch.slice(0, pendingLength));
    outputPosition += pendingLength;
    pendingLength = 0;
    return out;
  }

  return {
    push,
    flush,
    get outputPosition() {
      return outputPosition;
    },
  };
}

/**
 * The input range to feed a streaming embedder so that its output on [start, end) equals the
 * whole-file output: from the start of the frame containing `start` to the end of the frame
 * containing `end − 1` (clip `end` to the file length yourself).
 */
export function embedContext(
  sampleRate: number,
  start: number,
  end: number,
): { start: number; end: number } {
  checkFormat(sampleRate, 1);
  if (end <= start) return { start, end: start };
  return {
    start: frameStart(frameOf(start, sampleRate), sampleRate),
    end: frameStart(frameOf(end - 1, sampleRate) + 1, sampleRate),
  };
}
