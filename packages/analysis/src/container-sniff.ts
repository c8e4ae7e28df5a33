import { looksLikeAiff } from './aiff-read.js';

/** Audio containers recognised by their first bytes. */
export type AudioContainer = 'wav' | 'rf64' | 'aiff' | 'flac' | 'mp3' | 'ogg' | 'mp4' | 'webm';

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length &&
  [...text].every((char, i) => bytes[at + i] === char.charCodeAt(0));

/**
 * Identifies an audio container from its magic bytes alone (a client's Content-Type and file
 * name are never trusted): RIFF or RF64/BW64 WAVE, AIFF/AIFF-C, FLAC, Ogg (Vorbis, Opus), MP4/M4A,
 * WebM/Matroska and MP3 (an ID3 tag or a valid MPEG audio frame header). Needs the first 16
 * bytes at least; returns `undefined` for anything else, and never throws.
 */
export function sniffContainer(head: Uint8Array): AudioContainer | undefined {
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'wav';
  if ((ascii(head, 0, 'RF64') || ascii(head, 0, 'BW64')) && ascii(head, 8, 'WAVE')) return 'rf64';
  if (looksLikeAiff(head)) return 'aiff';
  if (ascii(head, 0, 'fLaC')) return 'flac';
  if (ascii(head, 0, 'OggS')) return 'ogg';
  if (ascii(head, 4, 'ftyp')) return 'mp4';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  if (ascii(head, 0, 'ID3')) return 'mp3';
  // An MPEG audio frame header: 11 sync bits, a valid version, layer III/II/I, a valid bitrate.
  const [a, b, c] = [head[0] ?? 0, head[1] ?? 0, head[2] ?? 0];
  if (a === 0xff && (b & 0xe0) === 0xe0 && (b & 0x18) !== 0x08 && (b & 0x06) !== 0) {
    if ((c & 0xf0) !== 0xf0 && (c & 0x0c) !== 0x0c) return 'mp3';
  }
  return undefined;
}
