/**
 * @vaultmark/watermark — keyed, inaudible forensic audio watermark with an honest false-positive
 * probability. Pure TypeScript; runs in Node and browsers.
 */
export type { AudioBuffer, PcmAudio } from './audio.js';
export {
  createDetector,
  type DetectMatch,
  type DetectOptions,
  type DetectResult,
  detect,
  type StreamingDetector,
} from './detect.js';
export {
  createEmbedder,
  type EmbedderOptions,
  type EmbedOptions,
  embed,
  embedContext,
  type StreamingEmbedder,
} from './embed.js';
export { WatermarkError, type WatermarkErrorCode } from './errors.js';
export { type ActiveImplementation, activeImplementation } from './implementation.js';
export { generateKey, parseKey, serializeKey, type WatermarkKey } from './key.js';
export { DEFAULT_STRENGTH, FORMAT_VERSION } from './params.js';
