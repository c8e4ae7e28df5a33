import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a sine tone made by the real ffmpeg into `dir/name` (the extension picks the container;
 * `args` add encoder options) and returns the path.
 */
export function tone(
  dir: string,
  name: string,
  options: { seconds?: number; hz?: number; args?: string[] } = {},
): string {
  const path = join(dir, name);
  const source = `sine=frequency=${options.hz ?? 440}:duration=${options.seconds ?? 0.5}`;
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    source,
    ...(options.args ?? []),
    path,
  ]);
  return path;
}
