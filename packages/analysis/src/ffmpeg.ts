import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AudioDecodeError } from './errors.js';

/** Options shared by the ffmpeg-backed functions. */
export interface FfmpegOptions {
  /** Kill ffmpeg and fail with `decode_timeout` after this many milliseconds. Default 600 000. */
  timeoutMs?: number;
  /** Abort (kills ffmpeg, fails with `aborted`). */
  signal?: AbortSignal;
  /** ffmpeg executable; default `process.env.VAULTMARK_FFMPEG` or `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

/** A running ffmpeg process with a settled-exit promise that maps failures to typed errors. */
export interface FfmpegRun {
  child: ChildProcess;
  stdout: Readable;
  /** Resolves when ffmpeg exits 0; rejects with an {@link AudioDecodeError} otherwise. */
  exited: Promise<void>;
  kill(): void;
}

/** Default ffmpeg time limit in milliseconds. */
export const DEFAULT_FFMPEG_TIMEOUT_MS = 600_000;

/** Starts ffmpeg with `args`, enforcing the time limit and abort signal. */
export function runFfmpeg(args: string[], options: FfmpegOptions = {}): FfmpegRun {
  const bin = options.ffmpegPath ?? process.env.VAULTMARK_FFMPEG ?? 'ffmpeg';
  const child = spawn(bin, ['-hide_banner', '-loglevel', 'error', '-nostats', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  // A closed stdin (ffmpeg stopped reading) must not crash the process.
  child.stdin!.on('error', () => {});
  let failure: AudioDecodeError | undefined;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_FFMPEG_TIMEOUT_MS;
  const timer = setTimeout(() => {
    failure ??= new AudioDecodeError('decode_timeout', `ffmpeg took longer than ${timeoutMs} ms`);
    kill();
    child.stdout!.destroy();
  }, timeoutMs);
  timer.unref();
  const onAbort = () => {
    failure ??= new AudioDecodeError('aborted', 'decoding was aborted');
    kill();
    child.stdout!.destroy();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === 'ENOENT'
          ? new AudioDecodeError('ffmpeg_missing', `ffmpeg not found (${bin}); install ffmpeg`)
          : new AudioDecodeError('ffmpeg_failed', `could not start ffmpeg: ${err.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code === 0) resolve();
      else reject(classify(stderr));
    });
  });
  exited.catch(() => {});
  return { child, stdout: child.stdout!, exited, kill };
}

function classify(stderr: string): AudioDecodeError {
  const msg = stderr.trim().split('\n').slice(-3).join('; ') || 'ffmpeg failed';
  if (
    /Invalid data found|could not find codec|Unknown input format|moov atom not found/i.test(stderr)
  ) {
    return new AudioDecodeError('unsupported_format', `ffmpeg cannot decode the input: ${msg}`);
  }
  if (/does not contain any stream|Output file #0 does not contain/i.test(stderr)) {
    return new AudioDecodeError('unsupported_format', `the input has no audio stream: ${msg}`);
  }
  if (/No such file/i.test(stderr)) return new AudioDecodeError('ffmpeg_failed', msg);
  return new AudioDecodeError('corrupt_file', `ffmpeg failed: ${msg}`);
}
