/**
 * Every constant that shapes the embedded signal or the detector's decisions, with units and
 * reasons. Changing any value in the "format" section changes the watermark format: bump
 * {@link FORMAT_VERSION} so that old and new marks never get confused.
 */

/** Watermark format version. Carried by serialized keys and mixed into every keyed derivation. */
export const FORMAT_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Format: time-frequency grid
// ---------------------------------------------------------------------------------------------

/**
 * Reference sample rate (Hz). The grid is defined at this rate; at any other rate the frames keep
 * their duration in seconds and the bands keep their frequencies in hertz.
 */
export const REFERENCE_RATE = 44_100;

/** Frame length at the reference rate (samples; 23.2 ms). Each frame carries one keyed pattern. */
export const FRAME_SIZE = 1024;

/** Frame duration (s). */
export const FRAME_SECONDS = FRAME_SIZE / REFERENCE_RATE;

/** Width of one reference FFT bin (Hz): 43.07 Hz. */
export const BIN_HZ = REFERENCE_RATE / FRAME_SIZE;

/**
 * First reference bin of the marked region (bin 12 = 517 Hz). Lower bands hold most of the energy
 * of music, so marking them would cost much SNR for few extra cells.
 */
export const FIRST_BIN = 24;

/**
 * Bins per band (4 bins = 172 Hz). Every bin of a band gets the same gain, so a ±1% frequency shift
 * (speed change) moves at most one bin of 4 across a band edge, and the detector sums power over a
 * band, averaging the Rayleigh-like fluctuation of single bins.
 */
export const BAND_BINS = 4;

/**
 * Bands per frame: 44 bands × 4 bins cover reference bins 12..187 (517 Hz – 8.07 kHz). The upper
 * half costs little SNR (music is quiet there) and doubles the number of independent cells; it
 * survives 64 kbps MP3 and 22.05 kHz resampling, and a 4 kHz low-pass leaves the lower half.
 */
export const BANDS_PER_FRAME = 52;

/** Bands per frame that carry the keyed sync pattern (the rest carry coded payload bits). */
export const SYNC_BANDS_PER_FRAME = 10;

/**
 * Frames per block (1024 frames = 23.8 s). The coded payload is interleaved over a whole block and
 * blocks repeat back to back from the first sample of the file. A power of two so that the block
 * phase search is one FFT-based circular correlation.
 */
export const BLOCK_FRAMES = 1024;

// ---------------------------------------------------------------------------------------------
// Format: payload coding
// ---------------------------------------------------------------------------------------------

/** Supported payload sizes (bits). */
export const PAYLOAD_BITS = [32, 64, 128] as const;

/** CRC width (bits) appended to the payload before coding (CRC-24, polynomial 0x864CFB). */
export const CRC_BITS = 24;

/** CRC-24 generator polynomial (OpenPGP, RFC 4880 §6.1) without the x^24 term. */
export const CRC_POLY = 0x864cfb;

/** CRC-24 initial register value (RFC 4880). */
export const CRC_INIT = 0xb704ce;

/**
 * Convolutional code constraint length (16384 states). A long code gets closer to capacity at the
 * low per-bit SNR of short excerpts (about 1 dB better than K=9 in our simulations) at ~25 ms per
 * Viterbi decode of a 128-bit payload.
 */
export const CONV_CONSTRAINT = 15;

/**
 * Convolutional generator polynomials (octal, rate 1/6): the K=15 set of the Galileo experimental
 * long-constraint encoder. Extra rate is free: every coded bit is repeated over many cells anyway.
 */
export const CONV_GENERATORS = [0o46321, 0o51271, 0o63667, 0o70535, 0o73277, 0o76513] as const;

// ---------------------------------------------------------------------------------------------
// Embedding strength
// ---------------------------------------------------------------------------------------------

/**
 * Default strength: relative magnitude change of a band, in percent. A band is multiplied by
 * (1 ± strength/100). Chosen so that the mean SNR on real music stays at or above 31.5 dB.
 */
export const DEFAULT_STRENGTH = 16;

/**
 * Spectral shaping of the per-band change: δ_b ∝ (E_b/Ē)^(−BAND_GAIN_SHAPE), renormalized so a
 * frame's mark energy equals that of a uniform δ. 0 = uniform relative change. Quieter bands
 * cost less SNR per unit of detection information.
 */
export const BAND_GAIN_SHAPE = 0.25;

/** Largest pre-normalization boost of a quiet band relative to the frame's geometric mean. */
export const BAND_GAIN_CAP = 8;

/** Hard cap of δ_b relative to the nominal δ (keeps 1 − δ_b well above 0). */
export const MAX_BAND_GAIN_RATIO = 2.5;

/** Absolute cap of δ_b (a band never loses more than 80% or gains more than 80% magnitude). */
export const MAX_BAND_GAIN = 0.8;

/** Accepted strength range (percent). */
export const MIN_STRENGTH = 0.5;
export const MAX_STRENGTH = 40;

// ---------------------------------------------------------------------------------------------
// Detector (not part of the format: changing these needs no version bump)
// ---------------------------------------------------------------------------------------------

/**
 * Alignments at which informed detection scores the candidate payloads: the best block phases of
 * the unscaled grid by their whole-window sync statistic. A copy whose mark is too weak to decode
 * (MP3 at 32 kbps) still ranks its true alignment among the first few of the 4,096 tried; each
 * one more costs one pass over the candidates and multiplies the bound by one more factor. On
 * the tuning clips 8 was the fewest that traced all of them (docs/watermark.md, section 7).
 */
export const INFORMED_ALIGNMENTS = 16;

/**
 * A further issued payload is taken in the same window (a mix of several recipients' copies)
 * only while its statistic, once the ones taken are cancelled, reaches this: below it no bound
 * over even a handful of candidates could reach a useful probability, and each pass costs one
 * more scoring of every candidate.
 */
export const FURTHER_CANDIDATE_MIN_T = 5;

/** Default per-track false-positive probability threshold. */
export const DEFAULT_MAX_FALSE_POSITIVE = 1e-9;

/** Default payload size the detector looks for (bits). */
export const DEFAULT_PAYLOAD_BITS = 128;

/**
 * Analysis window of the detector (s). Long inputs are cut into windows of this length that overlap
 * by {@link DETECT_WINDOW_OVERLAP_SECONDS}, so memory stays bounded for hour-long files.
 */
export const DETECT_WINDOW_SECONDS = 60;

/**
 * Overlap between detector windows (s): more than one block, so no mark falls in a gap. The
 * detector widens it by less than one spectrogram hop so that consecutive windows start a whole
 * number of hops apart, and carries the overlap's spectrogram rows over instead of recomputing them.
 */
export const DETECT_WINDOW_OVERLAP_SECONDS = 25;

/** Length of the segments used for the coarse speed/offset search (s). */
export const SEARCH_SEGMENT_SECONDS = 8;

/** STFT hop of the coarse search, as a fraction of a frame (1/4 frame = 5.8 ms). */
export const SEARCH_HOP_FRACTION = 0.25;

/**
 * Largest speed deviation searched automatically (fraction: 0.013 = ±1.3%), covering resampling
 * speed changes and tempo changes of ±1% with margin.
 */
export const MAX_SPEED_DEVIATION = 0.013;

/**
 * Segment length of the time-scaled stage (s): 172 frames, so half a {@link FAR_TIME_STEP} drifts
 * by 0.11 frame from the segment's centre to its ends.
 */
export const WIDE_SEGMENT_SECONDS = 4;

/**
 * Largest resampling speed change searched (fraction: ±15.5%, e.g. "nightcore" copies at +12%),
 * by the time-scaled stage beyond {@link MAX_SPEED_DEVIATION}.
 */
export const FAR_SPEED_DEVIATION = 0.155;

/** Largest time stretch (tempo change, pitch kept) searched (fraction: ±8.5%). */
export const FAR_TEMPO_DEVIATION = 0.085;

/**
 * Largest pitch shift (tempo kept) searched (semitones). A shift of n semitones scales every
 * frequency by 2^(n/12) and leaves the frames in place.
 */
export const FAR_PITCH_SEMITONES = 2.2;

/** Time-scale step of the time-scaled stage (fraction) on {@link WIDE_SEGMENT_SECONDS} segments. */
export const FAR_TIME_STEP = 0.0025;

/**
 * Frequency-scale step of the pitch hypotheses (fraction of frequency, 8.6 cents): half a step
 * (0.25%) moves the top band's centre (reference bin 229.5) by 0.57 of its 4 bins and the average
 * band by 0.32 bin, so a band keeps at least 86% of its bins in the worst case.
 */
export const FAR_FREQ_STEP = 0.005;

/** Fine frequency-scale step when refining a pitch hypothesis (fraction). */
export const FINE_FREQ_STEP = 0.001;

/**
 * Coarse speed step (fraction). Over an 8-s segment (344 frames) a speed error of half this step
 * drifts by 0.09 frame, inside the tolerance of the frame alignment.
 */
export const SPEED_STEP = 0.001;

/** Fine speed step used when refining over a whole window (fraction). */
export const FINE_SPEED_STEP = 0.0001;

/**
 * Segments per window searched for speed and tempo changes (the unscaled search uses all). A
 * scaled copy carries the mark throughout, so two segments suffice and keep misses fast.
 */
export const SPEED_SEARCH_SEGMENTS = 2;

/** Candidates per segment passed from the coarse search to refinement and decoding. */
export const CANDIDATES_PER_SEGMENT = 2;

/** Coarse candidates per window and key that are refined and decoded, best first. */
export const DECODE_CANDIDATES = 4;

/**
 * Coarse sync statistic below which a candidate is not decoded (pure speed-up: a lower value only
 * costs time; the false-positive bound does not depend on it).
 */
export const MIN_CANDIDATE_Z = 3;

/**
 * Inputs (windows) shorter than this (s) get exact-frame decodes at seven sub-hop offsets per
 * candidate instead of one: cheap for short excerpts, where every bit of alignment counts.
 */
export const SHORT_INPUT_SECONDS = 20;

/**
 * Refined sync z below which no Viterbi decode is attempted. At z = 5 the sync+CRC bound is
 * already above 1e-9 for any realistic search, and the payload bound needs a much larger
 * whole-block statistic, which comes with a larger z: skipping saves time on unmarked audio.
 */
export const MIN_DECODE_Z = 5;

/**
 * Most marks of one key the detector reports at one alignment: the first decoded payload plus
 * further payloads found by cancelling the ones already found (copies of several recipients
 * averaged or spliced together).
 */
export const MAX_MARKS_PER_KEY = 4;

/**
 * Coded-bit error rate below which a decode that failed the CRC is taken for a mix of several
 * recipients' payloads and split (an equal mix of two decodes with about 25% errors: the bits
 * where their codewords differ cancel; the best codeword through noise has 30–32% with this code,
 * so the rate alone rarely rules a decode out: see {@link MIXTURE_MIN_STATISTIC_RATIO}).
 */
export const MIXTURE_MAX_ERROR_RATE = 0.35;

/**
 * A failed decode of what is left once marks were cancelled is split only when its data
 * statistic is at least this fraction of the strongest mark found there. A colluder whose share
 * is at least 1/3 has at least half the strongest mark's statistic (shares 2/3 and 1/3), so 0.2
 * leaves a wide margin; the residue of one strong mark and the music under it (about 0.02–0.1 of
 * the mark on clean copies) no longer costs a dozen decodes per window. Swept from 0.05 to 0.5
 * on the tuning clips: collusion results unchanged, detection slower below 0.2.
 */
export const MIXTURE_MIN_STATISTIC_RATIO = 0.2;

/** Minimum audio needed by the detector (s). */
export const MIN_DETECT_SECONDS = 2;

/** Detection values are clipped to ±this after normalization (robust against heavy tails). */
export const DETECT_VALUE_CLIP = 2;

/** Floor added to band power before the logarithm (linear power units of a full-scale signal). */
export const POWER_FLOOR = 1e-12;
