import type { Readable } from 'node:stream';
import { runFfmpeg } from '@vaultmark/analysis';
import { ValidationError } from '../errors.js';

/** Bit rates a preview may have (kbps): listening quality, never lossless. */
export const PREVIEW_BITRATES = [128, 192, 256, 320] as const;
/** A preview's bit rate (kbps). */
export type PreviewBitrate = (typeof PREVIEW_BITRATES)[number];
/** The default preview: 256 kbps, a good listening quality. */
export const DEFAULT_PREVIEW_KBPS: PreviewBitrate = 256;

/** Checks a preview bit rate. */
export function previewBitrate(value: unknown): PreviewBitrate {
  if (value === undefined || value === null) return DEFAULT_PREVIEW_KBPS;
  if (!PREVIEW_BITRATES.includes(value as PreviewBitrate)) {
    throw new ValidationError(
      `preview quality must be one of ${PREVIEW_BITRATES.join(', ')} kbps`,
      'previewKbps',
    );
  }
  return value as PreviewBitrate;
}

/**
 * Encodes an already-marked WAV stream to a constant-bit-rate MP3 with ffmpeg (the analysis
 * package's `runFfmpeg`: pipes in and out, nothing on disk, a time limit). MP3 at a constant rate
 * is what every browser plays and seeks by byte range; the mark is embedded before the encoding
 * and survives it (it survives far lower rates). The whole preview is returned: it is a few
 * megabytes for a song.
 */
export async function encodePreview(wav: Readable, kbps: PreviewBitrate): Promise<Buffer> {
  const run = runFfmpeg([
    ...['-f', 'wav', '-i', 'pipe:0', '-map_metadata', '-1'],
    ...['-c:a', 'libmp3lame', '-b:a', `${kbps}k`, '-f', 'mp3', 'pipe:1'],
  ]);
  const out: Buffer[] = [];
  run.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  const stdin = run.child.stdin!;
  wav.on('error', (error) => stdin.destroy(error));
  wav.pipe(stdin);
  try {
    await run.exited;
  } catch (error) {
    throw new Error(`ffmpeg could not encode the preview: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return Buffer.concat(out);
}
