/**
 * Public API of this package. Everything importable from the package is exported here.
 */
export { readAiff } from './aiff-read.js';
export { type AnalysisSummary, type AnalyzeArgs, analyze, analyzeStream } from './analyze.js';
export { type AudioInput, type DecodedAudio, mixToMono, type SampleFormat } from './audio.js';
export { type AudioSink, type AudioSinkSpec, openAudioSink } from './audio-sink.js';
export { type ChromaArgs, chromaProfile } from './chroma.js';
export { type AudioContainer, sniffContainer } from './container-sniff.js';
export { type DecodeOptions, decodeAudioFile, openAudioStream } from './decode-file.js';
export {
  createWavFileWriter,
  type EncodeFileOptions,
  encodeAudioFile,
  type WavFileWriter,
} from './encode-file.js';
export { AnalysisError, type AnalysisErrorCode, AudioDecodeError } from './errors.js';
export { type FfmpegOptions, type FfmpegRun, runFfmpeg } from './ffmpeg.js';
export { type HpcpArgs, type HpcpProfile, hpcpProfile } from './hpcp.js';
export {
  type ChordStats,
  camelotOf,
  chordStats,
  type EstimateKeyArgs,
  estimateKey,
  type KeyResult,
  keyFromChroma,
  keyName,
} from './key.js';
export {
  createLoudnessMeter,
  type LoudnessMeter,
  type LoudnessResult,
  type MeasureLoudnessArgs,
  measureLoudness,
  truePeakOf,
} from './loudness.js';
export { type OnsetEnvelope, type OnsetEnvelopeArgs, onsetEnvelope } from './onset.js';
export {
  type ComputePeaksArgs,
  computePeaks,
  createPeaksBuilder,
  type PeaksBuilder,
  type PeaksScale,
  samplesPerPixelFor,
  type WaveformData,
} from './peaks.js';
export {
  decodePeaksDat,
  encodePeaksDat,
  encodePeaksJson,
  type PeaksEncoding,
  type PeaksFile,
} from './peaks-format.js';
export { type RenderOptions, renderPeaksPng, renderPeaksSvg } from './peaks-render.js';
export { encodePng } from './png.js';
export type { Dither } from './sample-codec.js';
export {
  createDspSeparator,
  type DspSeparatorOptions,
  type StemSeparator,
  type Stems,
  sdr,
  writeStems,
} from './stems.js';
export { type EstimateTempoArgs, estimateTempo, type TempoResult } from './tempo.js';
export { type WavLayout, wavLayout } from './wav-layout.js';
export { type ReadWavOptions, readAudioBytes, readWav } from './wav-read.js';
export { type AudioStream, collectStream } from './wav-stream.js';
export { DEFAULT_WAV_FORMAT, type EncodeWavOptions, encodeWav } from './wav-write.js';
