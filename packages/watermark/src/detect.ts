import { checkAudio, checkChunk, type PcmAudio } from './audio.js';
import type { Spectrogram } from './backend.js';
import { BandAnalyzer } from './band-analysis.js';
import { WatermarkError } from './errors.js';
import { logCandidateBound, logFalsePositiveBound, logFurtherMarkBound } from './false-positive.js';
import { checkFormat } from './grid.js';
import { activeBackend } from './implementation.js';
import { candidateSet } from './informed-search.js';
import type { WatermarkKey } from './key.js';
import { blockLayout } from './layout.js';
import {
  DECODE_CANDIDATES,
  DEFAULT_MAX_FALSE_POSITIVE,
  DEFAULT_PAYLOAD_BITS,
  DETECT_WINDOW_OVERLAP_SECONDS,
  DETECT_WINDOW_SECONDS,
  INFORMED_ALIGNMENTS,
  MIN_CANDIDATE_Z,
  MIN_DETECT_SECONDS,
  SHORT_INPUT_SECONDS,
} from './params.js';
import { checkPayloadBits } from './payload.js';
import { syncScorerFor } from './sync-scorers.js';
import {
  type InformedMatch,
  searchStages,
  type WindowMatch,
  WindowSearcher,
} from './window-search.js';

/** One detected mark. */
export interface DetectMatch {
  /** Payload as lowercase hex. */
  payload: string;
  /** Name of the key that matched. */
  keyName: string;
  /**
   * Input time (s) of the first watermark block start at or after −½ frame (blocks are 23.8 s long
   * and start at sample 0 of the marked file; for an excerpt this may exceed its length).
   */
  offsetSeconds: number;
  /**
   * Upper bound on the probability that a search of this input with these keys reports a match at
   * least this strong when no such mark is present (over the whole track and all keys).
   */
  falsePositiveProbability: number;
  /** log10 of {@link falsePositiveProbability}, useful when it underflows to 0. */
  log10FalsePositiveProbability: number;
  /** Estimated playback speed (1 = unchanged; 1.01 = 1% faster). */
  speed: number;
  /**
   * Estimated frequency scale (1 = unchanged; 1.0595 = one semitone up). Equals `speed` for a
   * resampled copy, 1 for a time-stretched one.
   */
  frequencyScale: number;
  /**
   * How the audio was found to be scaled: unchanged, resampled (time and pitch together),
   * time-stretched (pitch kept) or pitch-shifted (tempo kept).
   */
  scaling: 'none' | 'speed' | 'tempo' | 'pitch';
  /**
   * 0 for a mark decoded directly; k ≥ 1 for the k-th further mark of the same key found at the
   * same place after cancelling the marks before it (a mix of several recipients' copies). Its
   * statistics then cover the data cells of what was left, and its probability uses the
   * whole-block bound only.
   */
  layer: number;
  /**
   * How the payload was found: 'decoded' from the mark alone (blind), or 'candidate' when the
   * copy was too damaged to decode and its mark matched one of the payloads given in
   * {@link DetectOptions.candidatePayloads} (the bound then runs over those payloads only).
   */
  method: 'decoded' | 'candidate';
  /** For `method: 'candidate'`: how many distinct payloads of the key it was matched against. */
  candidates?: number;
  /** Sync statistic (≈ standard deviations). */
  zSync: number;
  /** Whole-block statistic for the decoded payload (≈ standard deviations). */
  tTotal: number;
  /** Coded bits whose hard decision disagreed with the decoded codeword / coded bits observed. */
  bitErrors: number;
  observedBits: number;
}

/** Result of {@link detect} and {@link StreamingDetector.finish}. */
export interface DetectResult {
  /** True when at least one match has falsePositiveProbability ≤ the threshold. */
  found: boolean;
  /**
   * True when one key matched with several payloads: copies of several recipients were averaged
   * or spliced together (each named recipient carries its own false-positive probability).
   */
  severalMarks: boolean;
  /** Duration of the analysed input (s). */
  durationSeconds: number;
  /** Matches below the threshold, best first (one per key and payload). */
  matches: DetectMatch[];
  /** Number of alignment hypotheses scored over all windows and keys (the union-bound factor). */
  hypotheses: number;
  /** Largest sync statistic seen by the coarse search (≈ standard deviations; evidence/diagnostics). */
  bestSyncZ: number;
}

/** Options of {@link detect} and {@link createDetector}. */
export interface DetectOptions {
  /** Keys to look for (key rotation: any number). */
  keys: WatermarkKey[];
  /** Payload size to decode: 32, 64 or 128 (default 128). */
  payloadBits?: number;
  /** Report only matches whose false-positive probability is at most this (default 1e-9). */
  maxFalsePositiveProbability?: number;
  /** Called with the fraction done (0..1) as windows complete. */
  onProgress?: (fraction: number) => void;
  /**
   * Search speed, tempo and pitch changes (speed and tempo ±1.3%, then speed up to ±5.6%, then
   * pitch up to ±2.2 semitones, tempo up to ±8.5% and speed up to ±15.5%) when the unscaled search
   * finds nothing (default true). Turning it off makes misses many times faster.
   */
  searchSpeed?: boolean;
  /**
   * Payloads (hex, `payloadBits` long) that were issued under these keys, e.g. every recipient's
   * copy a vault has marked. When a window yields no decodable mark, its best unscaled alignments
   * are matched against these patterns: a copy too damaged to decode (MP3 at 32 kbps) is still
   * traced to its recipient, with a bound over the candidates tried instead of every codeword.
   * A list applies to every key; a record gives each key (by name) its own list. Written as
   * `payload` is for {@link embed} (`0x` and upper case accepted); matches report lowercase hex.
   */
  candidatePayloads?: readonly string[] | Readonly<Record<string, readonly string[]>>;
}

/** Chunked detector returned by {@link createDetector}. */
export interface StreamingDetector {
  /** Feeds the next samples (one Float32Array per channel). */
  push(chunk: Float32Array[]): void;
  /** Analyses what is left and returns the result. */
  finish(): DetectResult;
}

interface RawMatch {
  key: WatermarkKey;
  match: WindowMatch;
  absoluteBlockStart: number;
}

interface RawCandidateMatch {
  key: WatermarkKey;
  match: InformedMatch;
  absoluteBlockStart: number;
  /** Distinct payloads of the key it was matched against. */
  candidates: number;
}

/**
 * Streaming detector with bounded memory: input is down-mixed to mono and analysed in windows of
 * DETECT_WINDOW_SECONDS (60 s) overlapping by DETECT_WINDOW_OVERLAP_SECONDS (25 s), so memory is
 * about 60 s of mono audio plus its spectrogram whatever the input length.
 */
export function createDetector(
  opts: DetectOptions & { sampleRate: number; channels: number; totalSamples?: number },
): StreamingDetector {
  checkFormat(opts.sampleRate, opts.channels);
  if (!Array.isArray(opts.keys) || opts.keys.length === 0) {
    throw new WatermarkError('invalid_key', 'at least one key is needed');
  }
  for (const key of opts.keys) {
    if (!key || !(key.secret instanceof Uint8Array) || key.secret.length < 16) {
      throw new WatermarkError('invalid_key', 'every key needs a secret of at least 16 bytes');
    }
  }
  const payloadBits = opts.payloadBits ?? DEFAULT_PAYLOAD_BITS;
  checkPayloadBits(payloadBits);
  const threshold = opts.maxFalsePositiveProbability ?? DEFAULT_MAX_FALSE_POSITIVE;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new WatermarkError('invalid_option', 'maxFalsePositiveProbability must be in (0, 1]');
  }
  const rate = opts.sampleRate;
  const nch = opts.channels;
  const windowLen = Math.round(DETECT_WINDOW_SECONDS * rate);
  const analyzer = new BandAnalyzer(rate);
  // Windows start a whole number of spectrogram hops apart, so the rows of the overlap carry over.
  const shiftRows = Math.floor(
    (windowLen - Math.round(DETECT_WINDOW_OVERLAP_SECONDS * rate)) / analyzer.hop,
  );
  const overlap = windowLen - shiftRows * analyzer.hop;
  const backend = activeBackend();
  const kernel = backend.analysis(analyzer);
  const given = opts.candidatePayloads;
  const candidatesOf = (key: WatermarkKey): readonly string[] =>
    given === undefined
      ? []
      : Array.isArray(given)
        ? given
        : ((given as Record<string, readonly string[]>)[key.name] ?? []);
  const keyed = opts.keys.map((key) => {
    const layout = blockLayout(key, payloadBits);
    const candidates = candidatesOf(key);
    const set = candidates.length > 0 ? candidateSet(layout, candidates) : undefined;
    return { key, layout, correlator: syncScorerFor(backend, layout), candidates: set };
  });
  const buffer = new Float32Array(windowLen);
  let buffered = 0; // samples in buffer
  let bufferStart = 0; // absolute sample index of buffer[0]
  let analyzedEnd = 0; // absolute end of the last analysed window
  let total = 0;
  let hypotheses = 0;
  let bestSyncZ = 0;
  const raw: RawMatch[] = [];
  const rawCandidates: RawCandidateMatch[] = [];
  let candidateTrials = 0;
  let finished = false;
  // Spectrogram of the last analysed window; its buffer is reused by the next window.
  let spec: Spectrogram | undefined;

  /** Spectrogram of the window in `signal`, reusing the previous window's rows of the overlap. */
  function spectrogram(signal: Float32Array): Spectrogram {
    const rows = analyzer.rows(signal.length);
    const bins = analyzer.binCount;
    const previous = spec;
    if (!previous || previous.rows <= shiftRows || previous.power.length < rows * bins) {
      return kernel.spectrogram(signal);
    }
    const power = previous.power.subarray(0, rows * bins);
    previous.power.copyWithin(0, shiftRows * bins, previous.rows * bins);
    kernel.spectrogramRows(signal, power, Math.min(rows, previous.rows - shiftRows));
    return { rows, power };
  }

  function analyze(): void {
    const signal = buffer.subarray(0, buffered);
    spec = spectrogram(signal);
    const data = { signal, analyzer, kernel, spec };
    for (const k of keyed) {
      const searcher = new WindowSearcher(data, k.layout, k.correlator);
      let match: WindowMatch | undefined;
      for (const stage of searchStages(opts.searchSpeed !== false)) {
        const cands = searcher.coarse(
          stage.hyps,
          stage.maxSegments,
          stage.segmentSeconds,
          stage.offsetStride,
        );
        bestSyncZ = Math.max(bestSyncZ, cands[0]?.z ?? 0);
        for (let i = 0; i < Math.min(cands.length, DECODE_CANDIDATES); i++) {
          const cand = cands[i] as (typeof cands)[number];
          if (cand.z < MIN_CANDIDATE_Z) break;
          // Exact-frame decodes cost one FFT per frame: afford more of them on short inputs.
          const short = buffered < SHORT_INPUT_SECONDS * rate;
          match = searcher.refineAndDecode(cand, short ? 7 : i === 0 ? 1 : 0);
          if (match) break;
        }
        if (match) break;
      }
      hypotheses += searcher.hypotheses;
      if (match)
        raw.push({ key: k.key, match, absoluteBlockStart: bufferStart + match.blockStart });
      else if (k.candidates) {
        const informed = searcher.informed(k.candidates, INFORMED_ALIGNMENTS);
        candidateTrials += informed.trials;
        for (const m of informed.marks) {
          rawCandidates.push({
            key: k.key,
            match: m,
            absoluteBlockStart: bufferStart + m.blockStart,
            candidates: k.candidates.payloads.length,
          });
        }
      }
    }
    analyzedEnd = bufferStart + buffered;
    if (opts.onProgress && opts.totalSamples) {
      opts.onProgress(Math.min(1, analyzedEnd / opts.totalSamples));
    }
  }

  function push(chunk: Float32Array[]): void {
    if (finished) throw new WatermarkError('stream_state', 'push() after finish()');
    const n = checkChunk(chunk, nch);
    total += n;
    let i = 0;
    const gain = 1 / nch;
    while (i < n) {
      const take = Math.min(n - i, windowLen - buffered);
      downmix(chunk, i, take, gain, buffer, buffered);
      buffered += take;
      i += take;
      if (buffered === windowLen) {
        analyze();
        buffer.copyWithin(0, windowLen - overlap, windowLen);
        bufferStart += windowLen - overlap;
        buffered = overlap;
      }
    }
  }

  function finish(): DetectResult {
    if (finished) throw new WatermarkError('stream_state', 'finish() called twice');
    finished = true;
    try {
      return result();
    } finally {
      // Native memory (cached band powers, buffers) is freed now rather than whenever the garbage
      // collector, which does not see it, gets to the kernel: a loop of detections stays bounded.
      kernel.release();
      spec = undefined;
    }
  }

  function result(): DetectResult {
    if (total < MIN_DETECT_SECONDS * rate) {
      throw new WatermarkError(
        'audio_too_short',
        `detection needs at least ${MIN_DETECT_SECONDS} s of audio, got ${(total / rate).toFixed(2)} s`,
      );
    }
    if (bufferStart + buffered > analyzedEnd) analyze();
    opts.onProgress?.(1);
    const best = new Map<string, DetectMatch>();
    const blockSeconds = (1024 * 1024) / 44100;
    const offsetOf = (absoluteBlockStart: number, speed: number) => {
      const blockLen = blockSeconds / speed;
      // Wrap into [−½ frame, block − ½ frame) so that a block starting at 0 reads as ≈ 0.
      const half = 512 / 44100 / speed;
      const offset = absoluteBlockStart / rate + half;
      return (((offset % blockLen) + blockLen) % blockLen) - half;
    };
    const keep = (keyName: string, match: DetectMatch) => {
      const id = `${keyName}\u0000${match.payload}`;
      const prev = best.get(id);
      if (!prev || prev.log10FalsePositiveProbability > match.log10FalsePositiveProbability)
        best.set(id, match);
    };
    for (const r of raw) {
      const m = r.match;
      const speed = 1 / m.hyp.timeScale;
      const offset = offsetOf(r.absoluteBlockStart, speed);
      // A first mark split out of a mixed decode counts as a further mark (layer 1).
      const layers = [m, ...m.further];
      layers.forEach((d, index) => {
        const layer = m.splitPairs > 0 ? index + 1 : index;
        const logP =
          layer === 0
            ? logFalsePositiveBound(d.zSync, d.tTotal, payloadBits, hypotheses)
            : logFurtherMarkBound(d.tTotal, payloadBits, hypotheses, d.splitPairs);
        if (Math.exp(logP) > threshold) return;
        const match: DetectMatch = {
          payload: d.payload,
          keyName: r.key.name,
          offsetSeconds: offset,
          falsePositiveProbability: Math.exp(logP),
          log10FalsePositiveProbability: logP / Math.LN10,
          speed,
          frequencyScale: m.hyp.freqScale,
          scaling: m.hyp.kind,
          layer,
          method: 'decoded',
          zSync: d.zSync,
          tTotal: d.tTotal,
          bitErrors: d.bitErrors,
          observedBits: d.observedBits,
        };
        keep(r.key.name, match);
      });
    }
    for (const r of rawCandidates) {
      const m = r.match;
      const logP = logCandidateBound(m.tData, candidateTrials);
      if (Math.exp(logP) > threshold) continue;
      const speed = 1 / m.hyp.timeScale;
      keep(r.key.name, {
        payload: m.payload,
        keyName: r.key.name,
        offsetSeconds: offsetOf(r.absoluteBlockStart, speed),
        falsePositiveProbability: Math.exp(logP),
        log10FalsePositiveProbability: logP / Math.LN10,
        speed,
        frequencyScale: m.hyp.freqScale,
        scaling: m.hyp.kind,
        layer: 0,
        method: 'candidate',
        candidates: r.candidates,
        zSync: m.zSync,
        tTotal: m.tData,
        bitErrors: m.bitErrors,
        observedBits: m.observedBits,
      });
    }
    const matches = [...best.values()].sort(
      (a, b) => a.log10FalsePositiveProbability - b.log10FalsePositiveProbability,
    );
    const keysSeen = new Set<string>();
    let severalMarks = false;
    for (const m of matches) {
      if (keysSeen.has(m.keyName)) severalMarks = true;
      keysSeen.add(m.keyName);
    }
    return {
      found: matches.length > 0,
      severalMarks,
      durationSeconds: total / rate,
      matches,
      hypotheses,
      bestSyncZ,
    };
  }

  return { push, finish };
}

/**
 * buffer[at + s] = gain · Σ_c chunk[c][from + s] for s < count (the sum in channel order, so
 * every path gives the same samples); mono and stereo get loops without the channel indirection.
 */
function downmix(
  chunk: Float32Array[],
  from: number,
  count: number,
  gain: number,
  buffer: Float32Array,
  at: number,
): void {
  const nch = chunk.length;
  if (nch === 1) {
    const a = chunk[0] as Float32Array;
    for (let s = 0; s < count; s++) buffer[at + s] = (0 + (a[from + s] as number)) * gain;
  } else if (nch === 2) {
    const a = chunk[0] as Float32Array;
    const b = chunk[1] as Float32Array;
    for (let s = 0; s < count; s++)
      buffer[at + s] = (0 + (a[from + s] as number) + (b[from + s] as number)) * gain;
  } else {
    for (let s = 0; s < count; s++) {
      let sum = 0;
      for (let c = 0; c < nch; c++) sum += (chunk[c] as Float32Array)[from + s] as number;
      buffer[at + s] = sum * gain;
    }
  }
}

/** Looks for marks of any of `opts.keys` in `audio` (bounded memory: see {@link createDetector}). */
export function detect(audio: PcmAudio, opts: DetectOptions): DetectResult {
  const length = checkAudio(audio);
  const det = createDetector({
    ...opts,
    sampleRate: audio.sampleRate,
    channels: audio.channels.length,
    totalSamples: length,
  });
  const chunk = Math.round(DETECT_WINDOW_SECONDS * audio.sampleRate);
  for (let s = 0; s < length; s += chunk) {
    det.push(audio.channels.map((ch) => ch.subarray(s, Math.min(length, s + chunk))));
  }
  return det.finish();
}
