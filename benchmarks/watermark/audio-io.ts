/** Audio file reading (the shared layer of `@vaultmark/analysis`) and ffmpeg/sox pipes. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readAudioBytes } from '@vaultmark/analysis';
// Shared with the package's own ffmpeg smoke test.
import {
  deinterleave as deinterleaveFloats,
  ffmpegDecode,
  interleave as interleaveFloats,
} from '../../packages/watermark/test/ffmpeg.js';

export interface Pcm {
  sampleRate: number;
  channels: Float32Array[];
}

/** Reads a WAV or AIFF file (any PCM or float layout) with the shared audio layer. */
export function readWav(path: string): Pcm {
  const { sampleRate, channels } = readAudioBytes(readFileSync(path));
  return { sampleRate, channels };
}

/** Interleaved little-endian float bytes of planar channels. */
export function interleave(channels: Float32Array[]): Buffer {
  return Buffer.from(interleaveFloats(channels).buffer);
}

function deinterleave(buf: Buffer, nch: number): Float32Array[] {
  const usable = buf.length - (buf.length % 4);
  return deinterleaveFloats(
    new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + usable)),
    nch,
  );
}

/**
 * Encodes with ffmpeg (`args` between input and output, `format` the container) and decodes back
 * to float at `outRate` and `outChannels`.
 */
export function ffmpegChain(
  audio: Pcm,
  args: string[],
  format: string,
  outRate: number,
  outChannels: number,
): Pcm {
  const nch = audio.channels.length;
  const raw = ['-f', 'f32le', '-ar', String(audio.sampleRate), '-ac', String(nch)];
  const encoded = execFileSync(
    'ffmpeg',
    ['-v', 'error', ...raw, '-i', 'pipe:0', ...args, '-f', format, 'pipe:1'],
    {
      input: interleave(audio.channels),
      maxBuffer: 1 << 30,
    },
  );
  const headerless = format === 'f32le' || format === 's16le';
  const inputArgs = headerless
    ? [
        '-f',
        format,
        '-ar',
        String(outRateOf(args, audio.sampleRate)),
        '-ac',
        String(channelsOf(args, nch)),
      ]
    : [];
  return ffmpegDecode(encoded, inputArgs, outRate, outChannels);
}

function outRateOf(args: string[], rate: number): number {
  const i = args.indexOf('-ar');
  return i >= 0 ? Number(args[i + 1]) : rate;
}

function channelsOf(args: string[], nch: number): number {
  const i = args.indexOf('-ac');
  return i >= 0 ? Number(args[i + 1]) : nch;
}

/** Runs sox effects on float audio (`effects` after the output file), same rate and channels. */
export function soxChain(audio: Pcm, effects: string[]): Pcm {
  const nch = audio.channels.length;
  const fmt = ['-t', 'f32', '-r', String(audio.sampleRate), '-c', String(nch)];
  const out = execFileSync('sox', [...fmt, '-', ...fmt, '-', ...effects], {
    input: interleave(audio.channels),
    maxBuffer: 1 << 30,
  });
  return { sampleRate: audio.sampleRate, channels: deinterleave(out, nch) };
}
