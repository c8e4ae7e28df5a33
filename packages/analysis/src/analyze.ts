import type { AudioInput } from './audio.js';
import { AnalysisError } from './errors.js';
import { estimateKey } from './key.js';
import { measureLoudness } from './loudness.js';
import { estimateTempo } from './tempo.js';

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
  const loud = measureLoudness({ audio });
  const silent = !Number.isFinite(loud.integratedLufs);
  const tempo = !silent && frames >= 2 * audio.sampleRate ? estimateTempo({ audio }) : null;
  const key = !silent && frames >= audio.sampleRate ? estimateKey({ audio }) : null;
  return {
    durationSeconds: frames / audio.sampleRate,
    sampleRate: audio.sampleRate,
    channels: audio.channels.length,
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
