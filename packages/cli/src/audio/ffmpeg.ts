import { type ChildProcess, spawn } from 'node:child_process';
import { AudioIoError } from './errors.js';

/** Starts ffmpeg with `args`; a missing binary becomes `ffmpeg_missing`. */
export function spawnFfmpeg(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(
    env.FFMPEG_PATH || 'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  return child;
}

/**
 * Resolves when ffmpeg exits successfully; otherwise rejects with its first error line
 * (`ffmpeg_failed`), or `ffmpeg_missing` when it is not installed.
 */
export function ffmpegDone(child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < 4000) stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new AudioIoError(
              'ffmpeg_missing',
              `${what} needs ffmpeg; install it (e.g. apt-get install ffmpeg) or set FFMPEG_PATH`,
            )
          : error,
      );
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const line = stderr.trim().split('\n').pop() || `exit ${code ?? signal}`;
        reject(new AudioIoError('ffmpeg_failed', `${what}: ffmpeg: ${line}`));
      }
    });
  });
}
