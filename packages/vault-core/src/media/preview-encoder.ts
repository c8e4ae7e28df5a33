import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
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
 * Encodes an already-marked WAV stream to a constant-bit-rate MP3 with ffmpeg (pipes in and out,
 * nothing on disk). MP3 at a constant rate is what every browser plays and seeks by byte range;
 * the mark is embedded before the encoding and survives it (it survives far lower rates). The
 * whole preview is returned: it is a few megabytes for a song.
 */
export async function encodePreview(wav: Readable, kbps: PreviewBitrate): Promise<Buffer> {
  const bin = process.env.VAULTMARK_FFMPEG ?? 'ffmpeg';
  const child = spawn(
    bin,
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'wav', '-i', 'pipe:0'],
      ...['-map_metadata', '-1', '-c:a', 'libmp3lame', '-b:a', `${kbps}k`, '-f', 'mp3', 'pipe:1'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const out: Buffer[] = [];
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  // ffmpeg may stop reading early on an error; its exit code tells.
  child.stdin.on('error', () => undefined);
  wav.on('error', (error) => child.stdin.destroy(error));
  wav.pipe(child.stdin);
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg could not encode the preview: ${errors.trim()}`);
  return Buffer.concat(out);
}
