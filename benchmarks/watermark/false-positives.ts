/**
 * False-positive trial: the full default detector (every search stage) on unmarked 30-s windows
 * of real music with one key, at the relaxed threshold p ≤ 1 so that every CRC-valid decode is
 * reported, plus the single-hypothesis calibration of the sync statistic on the same windows.
 * Windows are spread over worker threads (one per core by default); each window is an independent
 * detection, so the result does not depend on the number of threads.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { detect, FORMAT_VERSION, type WatermarkKey } from '@vaultmark/watermark';
import { readWav } from './audio-io.js';
import { phaseStatistics } from './calibration.js';

/** One unmarked window's outcome. */
export interface FpWindow {
  track: string;
  start: number;
  relaxedMatches: number;
  strictMatches: number;
  bestSyncZ: number;
  hypotheses: number;
  /**
   * With `candidates`: log10 of the bound of the best candidate match (every candidate is a
   * decoy, so any match at the threshold would be a false one), or null when none was scored.
   */
  candidateLog10P?: number | null;
}

interface Task {
  tracks: Array<{ id: string; wav: string }>;
  windows: Array<{ track: number; start: number }>;
  key: { name: string; secret: Uint8Array };
  worker: number;
  workers: number;
  /** File that receives one JSON line per window as it completes (see {@link readFalsePositiveLog}). */
  log?: string;
  /** Decoy payloads given to every detection as issued payloads (none of them is in the audio). */
  candidates?: string[];
}

/** Windows are visited in this many passes, each spread over every track (see below). */
const PASSES = 10;

const WINDOW_SECONDS = 30;
const RATE = 44100;

function runShard(task: Task): { fp: FpWindow[]; calibration: Float64Array } {
  const key: WatermarkKey = { ...task.key, version: FORMAT_VERSION };
  const fp: FpWindow[] = [];
  // Pass p takes every PASSES-th window from p on, in track order: whatever number of windows
  // is done when a long trial is stopped, they are spread over every track, and each track is
  // decoded once per pass.
  const ordered = Array.from({ length: PASSES }, (_, p) =>
    task.windows.filter((_, i) => i % PASSES === p),
  ).flat();
  const mine = ordered.filter((_, i) => i % task.workers === task.worker);
  const calibration = new Float64Array(mine.length * 1024);
  let filled = 0;
  // Windows come in track order: only the current track is kept decoded.
  let current: { track: number; pcm: ReturnType<typeof readWav> } | undefined;
  for (const w of mine) {
    if (current?.track !== w.track) {
      current = undefined;
      current = { track: w.track, pcm: readWav(task.tracks[w.track]!.wav) };
    }
    const pcm = current.pcm;
    const a = Math.round(w.start * RATE);
    const win = {
      sampleRate: RATE,
      channels: pcm.channels.map((c) => c.subarray(a, a + WINDOW_SECONDS * RATE)),
    };
    const r = detect(win, {
      keys: [key],
      maxFalsePositiveProbability: 1,
      ...(task.candidates ? { candidatePayloads: task.candidates } : {}),
    });
    const decoded = r.matches.filter((m) => m.method === 'decoded');
    const byCandidate = r.matches.filter((m) => m.method === 'candidate');
    const mono = new Float32Array(WINDOW_SECONDS * RATE);
    for (let i = 0; i < mono.length; i++) {
      mono[i] = 0.5 * ((win.channels[0]?.[i] ?? 0) + (win.channels[1]?.[i] ?? 0));
    }
    const z = phaseStatistics(mono, key);
    calibration.set(z, filled);
    filled += z.length;
    const row: FpWindow = {
      track: task.tracks[w.track]!.id,
      start: w.start,
      relaxedMatches: decoded.length,
      strictMatches: r.matches.filter((m) => m.falsePositiveProbability <= 1e-9).length,
      bestSyncZ: r.bestSyncZ,
      hypotheses: r.hypotheses,
      ...(task.candidates
        ? {
            candidateLog10P: byCandidate.length
              ? Math.min(...byCandidate.map((m) => m.log10FalsePositiveProbability))
              : null,
          }
        : {}),
    };
    fp.push(row);
    if (task.log) {
      const zs = Array.from(z, (x) => Math.round(x * 1e4) / 1e4);
      appendFileSync(task.log, `${JSON.stringify({ ...row, z: zs })}\n`);
    }
    if (fp.length % 50 === 0) {
      const rss = process.memoryUsage().rss / 2 ** 20;
      process.stderr.write(
        `false positives, worker ${task.worker}: ${fp.length}/${mine.length} windows, process RSS ${rss.toFixed(0)} MB\n`,
      );
    }
  }
  return { fp, calibration: calibration.subarray(0, filled) };
}

if (!isMainThread && (workerData as { fpTrial?: boolean })?.fpTrial) {
  parentPort!.postMessage(runShard((workerData as { task: Task }).task));
}

/**
 * Runs the trial on `count` windows spread evenly (hop ≥ 0.25 s) over the tracks, in
 * `threads` worker threads (default: one per core).
 */
export async function runFalsePositiveTrial(options: {
  tracks: Array<{ id: string; wav: string; seconds: number }>;
  count: number;
  key: WatermarkKey;
  threads?: number;
  log?: string;
  candidates?: string[];
}): Promise<{ fp: FpWindow[]; calibration: number[]; seconds: number; threads: number }> {
  const total = options.tracks.reduce((s, t) => s + Math.max(0, t.seconds - WINDOW_SECONDS), 0);
  const hop = Math.max(0.25, total / options.count);
  const windows: Task['windows'] = [];
  outer: for (const [track, t] of options.tracks.entries()) {
    for (let s = 0; s + WINDOW_SECONDS <= t.seconds; s += hop) {
      if (windows.length >= options.count) break outer;
      windows.push({ track, start: s });
    }
  }
  const workers = Math.max(1, Math.min(options.threads ?? cpus().length, windows.length));
  const t0 = performance.now();
  const base = {
    tracks: options.tracks.map(({ id, wav }) => ({ id, wav })),
    windows,
    key: { name: options.key.name, secret: options.key.secret },
    workers,
    ...(options.log ? { log: options.log } : {}),
    ...(options.candidates ? { candidates: options.candidates } : {}),
  };
  const shards = await Promise.all(
    Array.from(
      { length: workers },
      (_, worker) =>
        new Promise<{ fp: FpWindow[]; calibration: Float64Array }>((resolve, reject) => {
          // Worker entry points cannot be TypeScript on Node 20: a small script registers the
          // TypeScript loader, then imports this module.
          const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const w = new Worker(boot, {
            eval: true,
            workerData: { fpTrial: true, task: { ...base, worker } },
            execArgv: ['--conditions=@vaultmark/source'],
          });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`false-positive worker exited with ${code}`));
          });
        }),
    ),
  );
  const fp = shards.flatMap((s) => s.fp);
  fp.sort((a, b) => a.track.localeCompare(b.track) || a.start - b.start);
  return {
    fp,
    calibration: shards.flatMap((s) => Array.from(s.calibration)),
    seconds: (performance.now() - t0) / 1000,
    threads: workers,
  };
}

/**
 * The windows (and calibration values, rounded to 1e-4) of a trial's log, complete or stopped
 * part-way.
 */
export function readFalsePositiveLog(path: string): { fp: FpWindow[]; calibration: number[] } {
  const fp: FpWindow[] = [];
  const calibration: number[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { z, ...row } = JSON.parse(line) as FpWindow & { z: number[] };
    fp.push(row);
    for (const x of z) calibration.push(x);
  }
  fp.sort((a, b) => a.track.localeCompare(b.track) || a.start - b.start);
  return { fp, calibration };
}
