/**
 * Side-by-side run of the reference tool when an `audiowmark` binary is on PATH (never built or
 * downloaded here). Same clips and attacks, same payload length (128 bits), its default strength.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attack } from './attacks.js';
import { interleave, type Pcm, readWav } from './audio-io.js';
import { type CorpusEntry, clipWav } from './corpus.js';

function available(): boolean {
  try {
    execFileSync('audiowmark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function writeWav(path: string, a: Pcm): void {
  const raw = path.replace(/\.wav$/, '.f32');
  writeFileSync(raw, interleave(a.channels));
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'f32le',
    '-ar',
    String(a.sampleRate),
    '-ac',
    String(a.channels.length),
    '-i',
    raw,
    '-c:a',
    'pcm_s16le',
    path,
  ]);
}

/** Returns `recovered/total` per attack id, or undefined when audiowmark is not installed. */
export function runAudiowmark(
  clips: CorpusEntry[],
  attacks: Attack[],
  seconds: number,
): Record<string, string> | undefined {
  if (!available()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'awm-'));
  const ok: Record<string, number> = {};
  try {
    for (const [i, entry] of clips.entries()) {
      const payload = `${'0123456789abcdef'.repeat(2)}`.slice(0, 32).replace(/^./, String(i % 10));
      const marked = join(dir, 'marked.wav');
      execFileSync(
        'audiowmark',
        ['add', clipWav(entry, entry.clipStart, seconds), marked, payload],
        { stdio: 'ignore' },
      );
      const audio = readWav(marked);
      let seed = 7 + i;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      for (const a of attacks) {
        const path = join(dir, 'attacked.wav');
        writeWav(path, a.apply(audio, rnd));
        const out = execFileSync('audiowmark', ['get', path]).toString();
        if (out.includes(payload)) ok[a.id] = (ok[a.id] ?? 0) + 1;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(attacks.map((a) => [a.id, `${ok[a.id] ?? 0}/${clips.length}`]));
}
