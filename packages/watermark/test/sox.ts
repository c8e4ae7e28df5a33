import { execFileSync } from 'node:child_process';
import { deinterleave, hasTool, interleave } from './ffmpeg.js';

/** True when a `sox` binary is on PATH. */
export function hasSox(): boolean {
  return hasTool('sox', '--version');
}

/** Runs float audio through sox `effects` (same rate and channel count out; sox resamples back). */
export function soxRoundTrip(
  audio: { sampleRate: number; channels: Float32Array[] },
  effects: string[],
): { sampleRate: number; channels: Float32Array[] } {
  const nch = audio.channels.length;
  const fmt = ['-t', 'f32', '-r', String(audio.sampleRate), '-c', String(nch)];
  const out = execFileSync('sox', ['-V1', ...fmt, '-', ...fmt, '-', ...effects], {
    input: Buffer.from(interleave(audio.channels).buffer),
    maxBuffer: 1 << 30,
  });
  const samples = new Float32Array(out.buffer, out.byteOffset, Math.floor(out.length / 4));
  return { sampleRate: audio.sampleRate, channels: deinterleave(samples, nch) };
}
