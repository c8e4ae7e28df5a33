/** Float WAV reading and ffmpeg/sox pipes for the benchmark. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Reads a 32-bit float or 16-bit PCM WAV file. */
export function readWav(path: string): Pcm {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a WAV file`);
  }
  let off = 12;
  let rate = 0;
  let nch = 0;
  let bits = 0;
  let format = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      format = buf.readUInt16LE(off + 8);
      nch = buf.readUInt16LE(off + 10);
      rate = buf.readUInt32LE(off + 12);
      bits = buf.readUInt16LE(off + 22);
      if (format === 0xfffe) format = buf.readUInt16LE(off + 32);
    } else if (id === 'data') {
      const body = buf.subarray(off + 8, off + 8 + size);
      const bytes = bits / 8;
      const n = Math.floor(body.length / (bytes * nch));
      const channels = Array.from({ length: nch }, () => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < nch; c++) {
          const p = (i * nch + c) * bytes;
          (channels[c] as Float32Array)[i] =
            format === 3 ? body.readFloatLE(p) : body.readInt16LE(p) / 32768;
        }
      }
      return { sampleRate: rate, channels };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
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
