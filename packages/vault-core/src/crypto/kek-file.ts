import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { KekSource } from './data-keys.js';
import { LocalKek } from './key-wrapper.js';

/** How often a key file is checked for a key another process added, at most (milliseconds). */
const RECHECK_MS = 1000;

/**
 * The local key file as a key ring: one KEK per line (64 hex digits), oldest first; the last
 * line wraps new keys, every line unwraps. A file of one line is the embedded default's KEK file
 * as it always was. `vaultmark keys rotate` appends a line; every server sharing the file sees it
 * within a second when it wraps, and at once when it meets a key id it does not know.
 *
 * Secrets derived for other purposes (audit checkpoint signatures, CSRF tokens, metric labels)
 * come from the first line, so they stay the same across rotations: audit checkpoints signed
 * before a rotation still verify after it.
 */
export class KekFile implements KekSource {
  readonly path: string;
  #keks: LocalKek[] = [];
  #stamp = '';
  #checkedAt = 0;

  private constructor(path: string) {
    this.path = path;
    this.#load();
  }

  /** Opens the key file at `path`, creating it with one new KEK (mode 0600) if absent. */
  static open(path: string): KekFile {
    if (!existsSync(path)) LocalKek.fromFile(path);
    return new KekFile(path);
  }

  /** The first KEK: the root of derived secrets, stable across rotations. */
  get root(): LocalKek {
    return this.#keks[0]!;
  }

  keks(refresh = false): readonly LocalKek[] {
    const now = Date.now();
    if (refresh || now - this.#checkedAt >= RECHECK_MS) {
      this.#checkedAt = now;
      if (stampOf(this.path) !== this.#stamp) this.#load();
    }
    return this.#keks;
  }

  /**
   * Adds a new KEK as the last line (the one that wraps from now on) and returns its id. The
   * file is replaced atomically (written beside it, then renamed), so no reader sees half a line.
   */
  addKey(): string {
    const lines = readLines(this.path);
    const hex = randomBytes(32).toString('hex');
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${[...lines, hex].join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, this.path);
    this.#load();
    return this.#keks[this.#keks.length - 1]!.keyId;
  }

  #load(): void {
    chmodSync(this.path, 0o600);
    const stamp = stampOf(this.path);
    this.#keks = readLines(this.path).map((hex) => new LocalKek(Buffer.from(hex, 'hex')));
    this.#stamp = stamp;
  }
}

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0 || lines.some((l) => !/^[0-9a-f]{64}$/.test(l))) {
    throw new RangeError('a KEK file holds one or more lines of 64 hex digits');
  }
  return lines;
}

function stampOf(path: string): string {
  const s = statSync(path);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}
