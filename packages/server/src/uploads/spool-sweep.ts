import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Temporary files older than this are left over from a crash and swept (6 hours). */
export const SPOOL_MAX_AGE_MS = 6 * 3600_000;
/** How often a running server or worker sweeps its temporary directory (every 30 minutes). */
export const SPOOL_SWEEP_INTERVAL_MS = 30 * 60_000;

/**
 * Deletes the files of a temporary directory (upload spools, decoding scratch files) last
 * written before `before`. A process that crashed leaves its temporary files behind; nothing
 * running keeps one that long, and a spool's key died with the process that wrote it anyway.
 * Returns how many files went; a missing directory has none.
 */
export async function sweepTemporaryFiles(dir: string, before: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile() && info.mtime < before) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
