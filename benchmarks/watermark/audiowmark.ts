/**
 * Side-by-side run of the reference tool, audiowmark, when its binary is available (never built
 * or downloaded here): the path in the `AUDIOWMARK` environment variable, else `audiowmark` on
 * PATH. Same clips and attacks, same payload length (128 bits), its default strength and `get`
 * without options (no speed search). A copy counts as recovered when the embedded payload is among
 * the patterns `get` prints (it also prints other, unrelated patterns on short clips, and gives no
 * false-positive probability).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attack } from './attacks.js';
import { interleave, type Pcm, readWav } from './audio-io.js';
import { MIXES, recipientPayloads } from './collusion.js';
import { type CorpusEntry, clipWav } from './corpus.js';

const BIN = process.env.AUDIOWMARK || 'audiowmark';

function available(): boolean {
  try {
    execFileSync(BIN, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The tool's version line, or undefined when it is not available. */
export function audiowmarkVersion(): string | undefined {
  if (!available()) return undefined;
  return execFileSync(BIN, ['--version']).toString().trim();
}

function writeWav(path: string, a: Pcm): void {
  const raw = path.replace(/\.wav$/, '.f32');
  writeFileSync(raw, interleave(a.channels));
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'f32le', '-ar', String(a.sampleRate)],
    ...['-ac', String(a.channels.length), '-i', raw, '-c:a', 'pcm_s16le', path],
  ]);
}

/** Payloads (lowercase hex) that `audiowmark get` prints for the file at `path`. */
function found(path: string): string[] {
  const out = execFileSync(BIN, ['get', path]).toString();
  return [...out.matchAll(/^pattern\s+\S+\s+([0-9a-f]{32})\s/gm)].map((m) => m[1] as string);
}

/** Returns `recovered/total` per attack id, or undefined when audiowmark is not installed. */
export function runAudiowmark(
  clips: CorpusEntry[],
  attacks: Attack[],
  seconds: number,
): Record<string, string> | undefined {
  if (!available() || attacks.length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'awm-'));
  const ok: Record<string, number> = {};
  try {
    for (const [i, entry] of clips.entries()) {
      const payload = `${'0123456789abcdef'.repeat(2)}`.slice(0, 32).replace(/^./, String(i % 10));
      const marked = join(dir, 'marked.wav');
      execFileSync(BIN, ['add', clipWav(entry, entry.clipStart, seconds), marked, payload], {
        stdio: 'ignore',
      });
      const audio = readWav(marked);
      let seed = 7 + i;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed / 2 ** 32;
      };
      for (const a of attacks) {
        const path = join(dir, 'attacked.wav');
        writeWav(path, a.apply(audio, rnd));
        const hit = found(path).includes(payload);
        if (hit) ok[a.id] = (ok[a.id] ?? 0) + 1;
        process.stderr.write(`audiowmark ${entry.id} ${a.id}: ${hit ? 'ok' : 'MISS'}\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(attacks.map((a) => [a.id, `${ok[a.id] ?? 0}/${clips.length}`]));
}

/** One mix of the collusion suite on audiowmark's copies. */
export interface AudiowmarkCollusion {
  clip: string;
  mix: string;
  colluders: number;
  named: number;
  innocents: number;
}

/**
 * The collusion suite on audiowmark: copies of each clip marked with the payloads of recipients
 * 0–2 (recipient 3 never takes part), mixed as in collusion.ts.
 */
export function runAudiowmarkCollusion(
  clips: CorpusEntry[],
  seconds: number,
): AudiowmarkCollusion[] | undefined {
  if (!available()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'awm-'));
  const out: AudiowmarkCollusion[] = [];
  try {
    for (const entry of clips) {
      const payloads = recipientPayloads(entry.id);
      const copies = payloads.slice(0, 3).map((payload, k) => {
        const path = join(dir, `copy-${k}.wav`);
        execFileSync(BIN, ['add', clipWav(entry, entry.clipStart, seconds), path, payload], {
          stdio: 'ignore',
        });
        return readWav(path);
      });
      for (const mix of MIXES) {
        const path = join(dir, 'mix.wav');
        writeWav(path, mix.make(copies.slice(0, mix.copies)));
        const got = new Set(found(path));
        const inMix = payloads.slice(0, mix.copies);
        const named = inMix.filter((p) => got.has(p)).length;
        const innocents = payloads.slice(mix.copies).filter((p) => got.has(p)).length;
        out.push({ clip: entry.id, mix: mix.id, colluders: mix.copies, named, innocents });
        process.stderr.write(`audiowmark ${entry.id} ${mix.id}: ${named}/${mix.copies} named\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
