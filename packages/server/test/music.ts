import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a music-like stereo WAV made by the real ffmpeg: a chord progression of harmonic tones
 * with a pulsing envelope, a moving bass line and a quiet pink-noise bed, so every band the
 * watermark uses carries signal. Deterministic (ffmpeg's noise source is seeded).
 */
export function music(dir: string, name: string, seconds = 40): string {
  const path = join(dir, name);
  // Chords change every 2 s; harmonics 1..3 per voice; a 4 Hz pulse on the upper voices.
  const voice = (f: string, a: number) =>
    `${a}*(sin(2*PI*(${f})*t)+0.5*sin(4*PI*(${f})*t)+0.25*sin(6*PI*(${f})*t))`;
  const root = '110*pow(2,mod(floor(t/2),4)*5/12)';
  const left = [
    voice(root, 0.18),
    `(0.6+0.4*sin(2*PI*4*t))*${voice(`${root}*1.5`, 0.1)}`,
    voice(`${root}*2.52`, 0.07),
  ].join('+');
  const right = [
    voice(root, 0.16),
    `(0.6+0.4*cos(2*PI*4*t))*${voice(`${root}*2`, 0.1)}`,
    voice(`${root}*3`, 0.06),
  ].join('+');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    // Commas inside a filter argument are escaped for ffmpeg's filter-graph parser.
    `aevalsrc=${left.replaceAll(',', '\\,')}|${right.replaceAll(',', '\\,')}:s=44100:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=c=pink:a=0.03:s=44100:d=${seconds}:r=44100:seed=7`,
    '-filter_complex',
    '[1:a]aformat=channel_layouts=stereo[n];[0:a][n]amix=inputs=2:normalize=0,alimiter=limit=0.9',
    '-c:a',
    'pcm_s16le',
    path,
  ]);
  return path;
}

/** Runs ffmpeg with the given arguments (quiet, overwrite). */
export function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
}
