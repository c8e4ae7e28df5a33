import { readAiff } from './aiff-read.js';
import type { DecodedAudio } from './audio.js';
import { sniffContainer } from './container-sniff.js';
import { AudioDecodeError } from './errors.js';
import { decodeFrames } from './sample-codec.js';
import { parseWavHeader } from './wav-header.js';

/** Options for {@link readWav}. */
export interface ReadWavOptions {
  /**
   * When the data chunk declares more bytes than the file holds, return the whole frames that are
   * present instead of throwing `truncated_file`. Default false.
   */
  allowTruncated?: boolean;
}

/**
 * Reads a whole WAV file from memory: PCM 8/16/24/32-bit, IEEE float 32/64-bit,
 * WAVE_FORMAT_EXTENSIBLE and RF64/BW64. Errors are {@link AudioDecodeError}s with codes
 * `empty_file`, `truncated_file`, `corrupt_file` or `unsupported_format`.
 */
export function readWav(bytes: Uint8Array, options: ReadWavOptions = {}): DecodedAudio {
  const h = parseWavHeader(bytes, true)!;
  const avail = bytes.length - h.dataOffset;
  let dataBytes = h.dataBytes ?? avail;
  if (dataBytes > avail) {
    if (!options.allowTruncated) {
      throw new AudioDecodeError(
        'truncated_file',
        `the WAV data chunk declares ${dataBytes} bytes but the file holds ${avail}`,
      );
    }
    dataBytes = avail;
  }
  const frames = Math.floor(dataBytes / h.blockAlign);
  const channels = Array.from({ length: h.channelCount }, () => new Float32Array(frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, frames * h.blockAlign);
  decodeFrames(channels, 0, view, frames, h.layout);
  return {
    sampleRate: h.sampleRate,
    channels,
    format: { encoding: h.layout.encoding, bitsPerSample: h.layout.bitsPerSample },
  };
}

/** Which container this package reads itself the bytes hold ('wav' includes RF64), by magic number. */
export function nativeContainer(bytes: Uint8Array): 'wav' | 'aiff' | 'other' {
  const kind = sniffContainer(bytes);
  if (kind === 'wav' || kind === 'rf64') return 'wav';
  if (kind === 'aiff') return 'aiff';
  return 'other';
}

/**
 * Reads a WAV or AIFF/AIFF-C file from memory (chosen by magic number). Anything else throws
 * `unsupported_format` (use {@link decodeAudioFile} for compressed formats).
 */
export function readAudioBytes(bytes: Uint8Array, options: ReadWavOptions = {}): DecodedAudio {
  if (bytes.length === 0) throw new AudioDecodeError('empty_file', 'the file is empty');
  const kind = nativeContainer(bytes);
  if (kind === 'wav') return readWav(bytes, options);
  if (kind === 'aiff') return readAiff(bytes);
  throw new AudioDecodeError('unsupported_format', 'neither WAV nor AIFF');
}
