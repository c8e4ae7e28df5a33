/**
 * audiowmark side by side, when an `audiowmark` binary is given by `AUDIOWMARK` or on PATH (never
 * built or downloaded here): wall time of `audiowmark add` and plain `audiowmark get` on the same track, as 16-bit WAV.
 */
import { execFileSync } from 'node:child_process';
import { tiledChunks, writeWav16 } from './track.js';

/** The audiowmark binary: `AUDIOWMARK` or `audiowmark` on PATH. */
const AUDIOWMARK = process.env.AUDIOWMARK || 'audiowmark';

/** True when an `audiowmark` binary runs. */
export function hasAudiowmark(): boolean {
  try {
    execFileSync(AUDIOWMARK, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes `seconds` of the tiled source as a 16-bit WAV file. */
export function writeTrackWav(
  path: string,
  source: Float32Array[],
  seconds: number,
): Promise<void> {
  return writeWav16(path, tiledChunks(source, seconds));
}

/** Wall time (ms) of one audiowmark command. */
export function timeAudiowmark(args: string[]): number {
  const t0 = performance.now();
  execFileSync(AUDIOWMARK, args, { stdio: 'ignore' });
  return performance.now() - t0;
}
