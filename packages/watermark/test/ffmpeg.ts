import { execFileSync } from 'node:child_process';

/** True when `command` is on PATH and answers `versionFlag`. */
export function hasTool(command: string, versionFlag: string): boolean {
  try {
    execFileSync(command, [versionFlag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when an `ffmpeg` binary is on PATH. */
export function hasFfmpeg(): boolean {
  return hasTool('ffmpeg', '-version');
}

/** Interleaves planar channels into one Float32Array. */
export function interleave(channels: Float32Array[]): Float32Array {
  const nch = channels.length;
  const n = (channels[0] as Float32Array).length;
  const out = new Float32Array(n * nch);
  for (let c = 0; c < nch; c++) {
    const ch = channels[c] as Float32Array;
    for (let i = 0; i < n; i++) out[i * nch + c] = ch[i] as number;
  }
  return out;
}

/** Splits interleaved samples into planar channels. */
export function deinterleave(data: Float32Array, nch: number): Float32Array[] {
  const n = Math.floor(data.length / nch);
  return Array.from({ length: nch }, (_, c) => {
    const ch = new Float32Array(n);
    for (let i = 0; i < n; i++) ch[i] = data[i * nch + c] as number;
    return ch;
  });
}

/**
 * Runs raw float audio through ffmpeg: `encode` are the output options of a first pass (e.g. a
 * codec and bitrate, with `format` its container), and the result is decoded back to float at
 * `outRate` with `outChannels`. `filter` applies an audio filter chain in the first pass.
 */
export function ffmpegRoundTrip(
  audio: { sampleRate: number; channels: Float32Array[] },
  opts: {
    encode?: string[];
    format?: string;
    filter?: string;
    outRate?: number;
    outChannels?: number;
  },
): { sampleRate: number; channels: Float32Array[] } {
  const nch = audio.channels.length;
  const input = Buffer.from(interleave(audio.channels).buffer);
  const first = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'f32le',
      '-ar',
      String(audio.sampleRate),
      '-ac',
      String(nch),
      '-i',
      'pipe:0',
      ...(opts.filter ? ['-af', opts.filter] : []),
      ...(opts.encode ?? ['-c:a', 'pcm_f32le']),
      '-f',
      opts.format ?? 'f32le',
      'pipe:1',
    ],
    { input, maxBuffer: 1 << 30 },
  );
  const outRate = opts.outRate ?? audio.sampleRate;
  const outChannels = opts.outChannels ?? nch;
  const inputArgs =
    opts.format && opts.format !== 'f32le'
      ? []
      : ['-f', 'f32le', '-ar', String(audio.sampleRate), '-ac', String(nch)];
  return ffmpegDecode(first, inputArgs, outRate, outChannels);
}

/** Decodes `input` (described by `inputArgs` when headerless) to planar float audio with ffmpeg. */
export function ffmpegDecode(
  input: Buffer,
  inputArgs: string[],
  outRate: number,
  outChannels: number,
): { sampleRate: number; channels: Float32Array[] } {
  const out = ['-ar', String(outRate), '-ac', String(outChannels), '-f', 'f32le', 'pipe:1'];
  const second = execFileSync('ffmpeg', ['-v', 'error', ...inputArgs, '-i', 'pipe:0', ...out], {
    input,
    maxBuffer: 1 << 30,
  });
  const data = new Float32Array(second.buffer, second.byteOffset, Math.floor(second.length / 4));
  return { sampleRate: outRate, channels: deinterleave(new Float32Array(data), outChannels) };
}
