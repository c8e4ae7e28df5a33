import type { AudioInput } from './audio.js';
import { AnalysisError } from './errors.js';
import { estimateKey } from './key.js';
import { createLoudnessMeter, type LoudnessResult, measureLoudness } from './loudness.js';
import { analysisFactor } from './spectral.js';
import { estimateTempo } from './tempo.js';
import type { AudioStream } from './wav-stream.js';

/** The one-call summary `vaultmark analyze` prints. */
export interface AnalysisSummary {
  durationSeconds: number;
  sampleRate: number;
  channels: number;
  /** `null` when the audio is too short (under 2 s) or silent. */
  bpm: number | null;
  bpmConfidence: number;
  tempoVariable: boolean;
  /** e.g. `A minor`; `null` when too short or silent. */
  key: string | null;
  camelot: string | null;
  keyConfidence: number;
  /** `null` for silence (below the -70 LUFS gate). */
  loudnessLufs: number | null;
  loudnessRangeLu: number;
  /** `null` for digital silence. */
  truePeakDbtp: number | null;
}

/** Arguments of {@link analyze}. */
export interface AnalyzeArgs {
  audio: AudioInput;
}

const finite = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/** Runs tempo, key and loudness on decoded audio and returns a JSON-safe summary. */
export function analyze(args: AnalyzeArgs): AnalysisSummary {
  const { audio } = args;
  if (audio.channels.length === 0) throw new AnalysisError('invalid_argument', 'no channels');
  const frames = audio.channels[0]!.length;
  const loudness = measureLoudness({ audio });
  return summarize(frames, audio.sampleRate, audio.channels.length, loudness, audio);
}

/**
 * The streaming form of {@link analyze}: consumes an {@link AudioStream} chunk by chunk. Loudness is
 * measured on the fly; tempo and key need the whole piece, so a mono mix decimated to ~22 kHz is
 * kept (about 5 MB per minute, a quarter of the decoded stereo 44.1 kHz audio).
 */
export async function analyzeStream(stream: AudioStream): Promise<AnalysisSummary> {
  const { sampleRate, channelCount } = stream;
  const meter = createLoudnessMeter({ sampleRate, channelCount });
  const factor = analysisFactor(sampleRate);
  let mono = new Float32Array(1 << 16);
  let used = 0;
  let carry = new Float32Array(0);
  let frames = 0;
  for await (const chunk of stream.chunks) {
    meter.push(chunk);
    const n = chunk[0]?.length ?? 0;
    frames += n;
    // Mix to mono, prepend the samples left over from the last chunk, average blocks of `factor`.
    const mix = new Float32Array(carry.length + n);
    mix.set(carry);
    for (const ch of chunk)
      for (let i = 0; i < n; i++)
        mix[carry.length + i] = mix[carry.length + i]! + ch[i]! / channelCount;
    const blocks = Math.floor(mix.length / factor);
    if (used + blocks > mono.length) {
      const bigger = new Float32Array(Math.max(used + blocks, mono.length * 2));
      bigger.set(mono.subarray(0, used));
      mono = bigger;
    }
    for (let b = 0; b < blocks; b++) {
      let acc = 0;
      for (let j = 0; j < factor; j++) acc += mix[b * factor + j]!;
      mono[used++] = acc / factor;
    }
    carry = mix.slice(blocks * factor);
  }
  return summarize(frames, sampleRate, channelCount, meter.finish(), {
    sampleRate: sampleRate / factor,
    channels: [mono.subarray(0, used)],
  });
}

function summarize(
  frames: number,
  sampleRate: number,
  channels: number,
  loud: LoudnessResult,
  forMusic: AudioInput,
): AnalysisSummary {
  const silent = !Number.isFinite(loud.integratedLufs);
  const seconds = frames / sampleRate;
  const tempo = !silent && seconds >= 2 ? estimateTempo({ audio: forMusic }) : null;
  const key = !silent && seconds >= 1 ? estimateKey({ audio: forMusic }) : null;
  return {
    durationSeconds: seconds,
    sampleRate,
    channels,
    bpm: tempo ? tempo.bpm : null,
    bpmConfidence: tempo ? Math.round(tempo.confidence * 100) / 100 : 0,
    tempoVariable: tempo?.variable ?? false,
    key: key?.name ?? null,
    camelot: key?.camelot ?? null,
    keyConfidence: key ? Math.round(key.confidence * 100) / 100 : 0,
    loudnessLufs: finite(loud.integratedLufs),
    loudnessRangeLu: Math.round(loud.loudnessRangeLu * 100) / 100,
    truePeakDbtp: finite(loud.truePeakDbtp),
  };
}
