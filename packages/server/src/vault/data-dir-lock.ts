import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.js';

/**
 * Takes the embedded database's lock: PGlite is one process's database, and a second server on
 * the same data directory would corrupt it. The lock file names its owner by pid and, where the
 * system tells it (Linux `/proc`), by the owner's start time. A lock is stale, and taken over,
 * when its process is gone, is a zombie (killed but not yet reaped, as happens under a PID 1
 * that does not reap in a container), or is another process that got the same pid later (its
 * start time differs from the one recorded, or it runs another program).
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'vaultmark.pid');
  const mine = identityOf(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}${mine.started ? ` ${mine.started}` : ''}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
      return () => {
        try {
          if (readFileSync(path, 'utf8').split(/\s+/)[0] === String(process.pid)) rmSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, started] = readFileSync(path, 'utf8').trim().split(/\s+/);
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && holds(pid, started)) {
        throw new ConfigError(
          `the data directory ${dataDir} is in use by process ${pid} (one server per embedded database; use DATABASE_URL to run several)`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new ConfigError(`cannot lock the data directory ${dataDir}`);
}

/** What the system says of a process: whether it runs, and its start time when known. */
interface ProcessIdentity {
  running: boolean;
  started?: string;
}

/**
 * Reads `/proc/<pid>/stat`: field 3 is the state (`Z` zombie, `X` dead) and field 22 the start
 * time in clock ticks since boot. The command name (field 2) may hold spaces and parentheses,
 * so fields are counted from the last `)`. Elsewhere, signal 0 says whether the pid exists.
 */
function identityOf(pid: number): ProcessIdentity {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    return { running: state !== 'Z' && state !== 'X', started: fields[19] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // No such process where /proc exists; without /proc, ask the kernel directly.
      try {
        readFileSync('/proc/self/stat');
        return { running: false };
      } catch {
        return { running: signalZero(pid) };
      }
    }
    return { running: signalZero(pid) };
  }
}

/**
 * Whether `pid` still holds a lock it wrote with start time `started`: it runs, it started when
 * the lock says (when the lock says), and it runs the same program as this process (a server is
 * always this runtime, so a `sleep` or a shell that got the pid later is not the owner).
 */
function holds(pid: number, started: string | undefined): boolean {
  const now = identityOf(pid);
  if (!now.running) return false;
  if (started && now.started && started !== now.started) return false;
  return sameProgram(pid);
}

/** Whether `pid` runs the executable this process runs (Linux `/proc`; elsewhere assumed). */
function sameProgram(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === readlinkSync('/proc/self/exe');
  } catch {
    // No /proc, or another user's process we may not inspect: assume it is the owner.
    return true;
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
