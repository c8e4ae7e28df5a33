import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Transcriber } from './transcriber.js';

/** Options of {@link PocketsphinxTranscriber}. */
export interface PocketsphinxOptions {
  /** The recogniser (Debian `pocketsphinx`); default `pocketsphinx_continuous` on the PATH. */
  command?: string;
  /** ffmpeg, which turns any input into what the recogniser reads; default `VAULTMARK_FFMPEG` or `ffmpeg`. */
  ffmpeg?: string;
  /** Extra recogniser arguments (e.g. `-hmm`, `-lm`, `-dict` for another language model). */
  args?: string[];
  /** Longest a transcription may take before it is stopped (default 10 minutes). */
  timeoutMs?: number;
}

/**
 * A speech recogniser that runs on this machine and needs no network: CMU PocketSphinx with the
 * US English model Debian packages (`pocketsphinx`, `pocketsphinx-en-us`). ffmpeg decodes the
 * track to 16 kHz mono 16-bit WAV into a pipe, and the recogniser reads that pipe: no plaintext
 * file is written. Needs `bash`, `ffmpeg` and `pocketsphinx_continuous`. Each recognised utterance is one line of the transcript.
 */
export class PocketsphinxTranscriber implements Transcriber {
  readonly engine = 'pocketsphinx-en-us';
  constructor(private readonly options: PocketsphinxOptions = {}) {}

  transcribe(audio: Readable): Promise<string> {
    // The recogniser opens its input by name, which a socket (how Node hands a child its stdin)
    // does not allow: the two programs are joined by a real pipe inside one bash, whose
    // `pipefail` reports either one's failure. The programs and arguments travel as positional
    // parameters, never through the script text.
    const script =
      'set -o pipefail; ffmpeg_bin="$1"; sphinx_bin="$2"; shift 2; ' +
      '"$ffmpeg_bin" -v error -i pipe:0 -ar 16000 -ac 1 -acodec pcm_s16le -f wav pipe:1 | ' +
      '"$sphinx_bin" -infile /dev/stdin -logfn /dev/null "$@"';
    const child = spawn(
      'bash',
      [
        '-c',
        script,
        'transcribe',
        this.options.ffmpeg ?? process.env.VAULTMARK_FFMPEG ?? 'ffmpeg',
        this.options.command ?? 'pocketsphinx_continuous',
        ...(this.options.args ?? []),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return new Promise<string>((resolve, reject) => {
      let out = '';
      let errors = '';
      let settled = false;
      const finish = (error: Error | undefined, text = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          child.kill('SIGKILL');
          audio.destroy();
          reject(error);
        } else resolve(text);
      };
      const timer = setTimeout(
        () => finish(new Error('transcription took too long')),
        this.options.timeoutMs ?? 600_000,
      );
      // A decoder that stops reading early closes the pipe: its exit code tells the story.
      child.stdin.on('error', () => {});
      audio.on('error', (error) => finish(error));
      child.on('error', (error) => finish(error));
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString('utf8');
      });
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      audio.pipe(child.stdin);
      child.on('close', (code) => {
        if (code !== 0) {
          finish(
            new Error(`ffmpeg or pocketsphinx failed (${code}): ${errors.trim().slice(0, 300)}`),
          );
          return;
        }
        const lines = out.split('\n').map((line) => line.trim());
        finish(undefined, lines.filter(Boolean).join('\n'));
      });
    });
  }
}
