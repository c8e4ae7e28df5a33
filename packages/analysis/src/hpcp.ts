import { forEachMagnitudeFrame } from './spectral.js';

/** Fine pitch bins per semitone of the intermediate profile (10 cents each). */
const FINE = 10;
const FINE_BINS = 12 * FINE;

/** Arguments of {@link hpcpProfile}. */
export interface HpcpArgs {
  /** Mono signal. */
  signal: Float32Array;
  sampleRate: number;
  /** STFT frame size (power of two); default 8192 (2.7 Hz bins at 22.05 kHz). Hop is half. */
  frameSize?: number;
  /**
   * Spectral peaks outside this band (Hz) are ignored; default 100 and 4000. Below 100 Hz a
   * semitone spans fewer than 2.2 bins of 2.7 Hz (1.2 at 55 Hz) and the kick drum adds peaks of
   * no pitch; bass notes there still count through their partials.
   */
  minHz?: number;
  maxHz?: number;
  /** Peaks below the frame's strongest by more than this many dB are ignored; default 40. */
  floorDb?: number;
  /**
   * Each peak also counts for the candidate fundamentals f/2 ... f/harmonics; default 1 (off).
   * The f/3 candidate credits every partial also to the pitch class a fifth below it (the
   * tonic's partials to the subdominant). The key estimator models the partials in its
   * templates instead (see `withHarmonics`), and with both the partials count twice: on the
   * tuning corpus f/2 ... f/4 cost 0.02 (see docs/analysis.md).
   */
  harmonics?: number;
  /** Weight of the h-th candidate fundamental is `harmonicDecay^(h-1)`; default 0.6. */
  harmonicDecay?: number;
  /** Width (semitones) of the cos² kernel spreading a peak over pitch classes; default 1. */
  kernelSemitones?: number;
  /** Divide peak magnitudes by the local spectral envelope (±1/6 octave mean); default false. */
  whiten?: boolean;
  /** Estimate the reference frequency from the peaks and fold around it; default true. */
  tuning?: boolean;
  /**
   * A peak counts with magnitude^power; default 0.5, which compresses the range between loud and
   * quiet partials. Defaults were chosen on the tuning corpus (see docs/analysis.md).
   */
  power?: number;
  /**
   * Band (Hz) of the bass profile gathered in the same pass ({@link HpcpProfile.bass}); default
   * 40 and 250: roots of bass lines, where the tonic is the most frequent note.
   */
  bassMinHz?: number;
  bassMaxHz?: number;
  /**
   * Also return the profile of each block of this many seconds ({@link HpcpProfile.blocks}), for
   * chord-level decisions; default 0 (none).
   */
  blockSeconds?: number;
}

/** Long-term profile of {@link hpcpProfile} with the tuning it was folded around. */
export interface HpcpProfile {
  /** 12 values summing to 1 (all zero for silence), index 0 = C. */
  chroma: Float64Array;
  /** Estimated deviation of the reference from A4 = 440 Hz, in cents (-50..50). */
  tuningCents: number;
  /**
   * Pitch-class profile of the spectral peaks in the bass band alone (same folding, each frame
   * normalized, 12 values summing to 1 or all zero), without harmonics.
   */
  bass: Float64Array;
  /** Profiles of consecutive blocks of `blockSeconds` (same folding, each summing to 1 or 0). */
  blocks: Float64Array[];
  /** Bass profiles of the same blocks (as {@link HpcpProfile.bass}, one per block). */
  bassBlocks: Float64Array[];
}

/**
 * Harmonic pitch-class profile (after Gómez 2006): per STFT frame, local maxima of the magnitude
 * spectrum are refined by parabolic interpolation; each peak adds its (optionally whitened)
 * magnitude to a 10-cent pitch histogram at its own frequency and, if `harmonics` > 1, with
 * decaying weights at the candidate fundamentals f/2 ... f/h. Each frame's histogram is normalized to unit sum before it is
 * accumulated, so loud passages do not dominate. The reference frequency is the circular mean of
 * the peaks' offsets from the equal-tempered grid; the long-term histogram is folded onto 12 pitch
 * classes centred on that grid with a cos² kernel.
 */
export function hpcpProfile(args: HpcpArgs): HpcpProfile {
  const frameSize = args.frameSize ?? 8192;
  const rate = args.sampleRate;
  const minHz = args.minHz ?? 100;
  const maxHz = Math.min(args.maxHz ?? 4000, rate / 2);
  const floor = 10 ** (-(args.floorDb ?? 40) / 20);
  const harmonics = Math.max(1, Math.floor(args.harmonics ?? 1));
  const decay = args.harmonicDecay ?? 0.6;
  const whiten = args.whiten ?? false;
  const power = args.power ?? 0.5;
  const bins = frameSize / 2 + 1;
  const binHz = rate / frameSize;
  const lo = Math.max(1, Math.floor(minHz / binHz));
  const hi = Math.min(bins - 2, Math.ceil(maxHz / binHz));
  const bassMin = args.bassMinHz ?? 40;
  const bassMax = args.bassMaxHz ?? 250;
  const start = Math.max(1, Math.min(lo, Math.floor(bassMin / binHz)));
  const bassFrame = new Float64Array(FINE_BINS);
  const bassTotal = new Float64Array(FINE_BINS);
  const hop = frameSize / 2;
  const perBlock = args.blockSeconds
    ? Math.max(1, Math.round((args.blockSeconds * rate) / hop))
    : 0;
  const blockFine: Float64Array[] = [];
  const bassBlockFine: Float64Array[] = [];
  let frameIndex = -1;
  // Pitch in semitones is measured from C4 (261.63 Hz at A4 = 440 Hz), so pitch class 0 is C.
  const cRef = 440 * 2 ** (-9 / 12);
  const prefix = new Float64Array(bins + 1);
  const frame = new Float64Array(FINE_BINS);
  const total = new Float64Array(FINE_BINS);
  const weights = new Float64Array(harmonics);
  const logH = new Float64Array(harmonics);
  for (let h = 0; h < harmonics; h++) {
    weights[h] = decay ** h;
    logH[h] = 12 * Math.log2(h + 1);
  }
  let tuneRe = 0;
  let tuneIm = 0;
  forEachMagnitudeFrame(args.signal, frameSize, hop, (mag) => {
    frameIndex++;
    let peak = 0;
    for (let k = lo; k <= hi; k++) if (mag[k]! > peak) peak = mag[k]!;
    let bassPeak = 0;
    let bassSum = 0;
    bassFrame.fill(0);
    for (let k = start; k < lo; k++) if (mag[k]! > bassPeak) bassPeak = mag[k]!;
    if (peak <= 1e-9 && bassPeak <= 1e-9) return;
    if (whiten) {
      prefix[0] = 0;
      for (let k = 0; k < bins; k++) prefix[k + 1] = prefix[k]! + mag[k]!;
    }
    const threshold = peak * floor;
    frame.fill(0);
    let sum = 0;
    const bassThreshold = Math.max(bassPeak, peak) * floor;
    for (let k = start; k <= hi; k++) {
      const m = mag[k]!;
      if (m < (k < lo ? bassThreshold : threshold) || m <= mag[k - 1]! || m < mag[k + 1]!) continue;
      // Parabolic interpolation of the peak on the magnitude spectrum.
      const a = mag[k - 1]!;
      const b = mag[k + 1]!;
      const den = a - 2 * m + b;
      const delta = den < 0 ? (0.5 * (a - b)) / den : 0;
      const f = (k + delta) * binHz;
      if (f >= bassMin && f <= bassMax) {
        const semis = 12 * Math.log2(f / cRef);
        const fine = (((Math.round(semis * FINE) % FINE_BINS) + FINE_BINS) % FINE_BINS) | 0;
        const v = Math.sqrt(m);
        bassFrame[fine] = bassFrame[fine]! + v;
        bassSum += v;
      }
      if (f < minHz || f > maxHz) continue;
      let w = m - 0.25 * (a - b) * delta;
      if (whiten) {
        const k0 = Math.max(0, Math.floor(k * 0.891));
        const k1 = Math.min(bins, Math.ceil(k * 1.122) + 1);
        const env = (prefix[k1]! - prefix[k0]!) / (k1 - k0);
        if (env > 0) w /= env;
      }
      if (power === 0.5) w = Math.sqrt(w);
      else if (power !== 1) w **= power;
      const semis = 12 * Math.log2(f / cRef);
      const phase = 2 * Math.PI * semis;
      tuneRe += w * Math.cos(phase);
      tuneIm += w * Math.sin(phase);
      for (let h = 0; h < harmonics; h++) {
        const s = semis - logH[h]!;
        if (h > 0 && f / (h + 1) < minHz) break;
        const fine = (((Math.round(s * FINE) % FINE_BINS) + FINE_BINS) % FINE_BINS) | 0;
        const v = w * weights[h]!;
        frame[fine] = frame[fine]! + v;
        sum += v;
      }
    }
    const b = perBlock > 0 ? Math.floor(frameIndex / perBlock) : -1;
    while (blockFine.length <= b) {
      blockFine.push(new Float64Array(FINE_BINS));
      bassBlockFine.push(new Float64Array(FINE_BINS));
    }
    if (bassSum > 0) {
      for (let i = 0; i < FINE_BINS; i++) bassTotal[i] = bassTotal[i]! + bassFrame[i]! / bassSum;
      if (b >= 0) {
        const acc = bassBlockFine[b]!;
        for (let i = 0; i < FINE_BINS; i++) acc[i] = acc[i]! + bassFrame[i]! / bassSum;
      }
    }
    if (sum <= 0) return;
    for (let i = 0; i < FINE_BINS; i++) total[i] = total[i]! + frame[i]! / sum;
    if (b >= 0) {
      const acc = blockFine[b]!;
      for (let i = 0; i < FINE_BINS; i++) acc[i] = acc[i]! + frame[i]! / sum;
    }
  });
  const offset = args.tuning === false ? 0 : Math.atan2(tuneIm, tuneRe) / (2 * Math.PI);
  const chroma = foldFine(total, offset, args.kernelSemitones ?? 1);
  const bass = foldFine(bassTotal, offset, args.kernelSemitones ?? 1);
  const fold = (fine: Float64Array) => foldFine(fine, offset, args.kernelSemitones ?? 1);
  return {
    chroma,
    tuningCents: Math.round(offset * 1000) / 10,
    bass,
    blocks: blockFine.map(fold),
    bassBlocks: bassBlockFine.map(fold),
  };
}

/**
 * Folds a 10-cent pitch histogram onto 12 pitch classes centred at `offset` semitones from the
 * equal-tempered grid, weighting each fine bin by cos² of its distance to the class centre within
 * half the kernel width. Returns 12 values summing to 1 (zero when the histogram is empty).
 */
function foldFine(fine: Float64Array, offset: number, kernel: number): Float64Array {
  const out = new Float64Array(12);
  const half = kernel / 2;
  for (let i = 0; i < FINE_BINS; i++) {
    const v = fine[i]!;
    if (v === 0) continue;
    const s = i / FINE - offset;
    for (let c = 0; c < 12; c++) {
      let d = s - c;
      d -= 12 * Math.round(d / 12);
      if (Math.abs(d) >= half) continue;
      const g = Math.cos((Math.PI * d) / kernel);
      out[c] = out[c]! + v * g * g;
    }
  }
  let s = 0;
  for (let c = 0; c < 12; c++) s += out[c]!;
  if (s > 0) for (let c = 0; c < 12; c++) out[c] = out[c]! / s;
  return out;
}
