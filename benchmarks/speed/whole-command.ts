/**
 * Whole-command mode of the speed suite (`pnpm bench:speed --whole`): times the `vaultmark`
 * command as a person runs it (the installed bin, `node packages/cli/dist/bin.js`, not through
 * pnpm) against audiowmark's whole command on the same 16-bit 44.1 kHz stereo WAV files.
 *
 *   pnpm bench:speed --whole                          # 3- and 20-minute tracks, 3 runs each
 *   pnpm bench:speed --whole --sizes 180 --runs 5
 *
 * Each timed run is a fresh process under /usr/bin/time: wall time (measured here around the
 * spawn), CPU seconds (user + system) and peak resident memory (its maximum RSS; without
 * /usr/bin/time only wall time).
 * `vaultmark embed` and `audiowmark add` alternate which goes first from run to run, and so do
 * `vaultmark detect` and `audiowmark get`. Every output is checked: each embed's output has as
 * many frames as its input and each detection prints the payload (our detect reads our marked
 * copy, audiowmark get its own). audiowmark comes from `AUDIOWMARK` or PATH; without it the suite
 * still measures our command and says so. Timings include start-up, reading, converting and
 * writing the files (the page cache is warm: each file was written or read just before).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAudioSink, openAudioStream } from '@vaultmark/analysis';
import { serializeKey } from '@vaultmark/watermark';
import { BENCH_KEY, BENCH_PAYLOAD } from './key.js';
import { CHANNELS, loadSource, RATE, SOURCE, tiledChunks } from './track.js';

interface Run {
  size: number;
  command: 'vaultmark embed' | 'audiowmark add' | 'vaultmark detect' | 'audiowmark get';
  wallMs: number;
  peakMb: number | undefined;
  /** User + system CPU seconds of the process (less sensitive to a loaded machine than wall). */
  cpuS: number | undefined;
}

const BIN = new URL('../../packages/cli/dist/bin.js', import.meta.url).pathname;
const TIME = '/usr/bin/time';

/** The audiowmark binary to compare with, or `undefined` (with the reason printed). */
function findAudiowmark(): string | undefined {
  const bin = process.env.AUDIOWMARK || 'audiowmark';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return bin;
  console.log(
    `audiowmark not found (${bin}): set AUDIOWMARK to its path or put it on PATH; measuring vaultmark only`,
  );
  return undefined;
}

/** Runs one command under /usr/bin/time; returns its wall time, peak RSS, CPU and stdout. */
function timed(argv: string[]): {
  wallMs: number;
  peakMb: number | undefined;
  cpuS: number | undefined;
  stdout: string;
} {
  const withTime = existsSync(TIME);
  const full = withTime ? [TIME, '-f', '%M %U %S', ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(full[0] as string, full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && !(argv.includes('detect') && r.status === 1)) {
    throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  }
  const [kb, user, system] = withTime
    ? (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number)
    : [];
  return {
    wallMs,
    peakMb: kb !== undefined && Number.isFinite(kb) ? kb / 1024 : undefined,
    cpuS:
      user !== undefined && system !== undefined && Number.isFinite(user + system)
        ? user + system
        : undefined,
    stdout: r.stdout,
  };
}

async function writeTrack(path: string, source: Float32Array[], seconds: number): Promise<void> {
  const sink = await openAudioSink(path, {
    sampleRate: RATE,
    channelCount: CHANNELS,
    format: { encoding: 'pcm', bitsPerSample: 16 },
  });
  for (const chunk of tiledChunks(source, seconds)) await sink.write(chunk);
  await sink.close();
}

async function framesOf(path: string): Promise<number | undefined> {
  const stream = await openAudioStream(path);
  stream.close();
  return stream.totalFrames;
}

/** Runs the whole-command comparison and writes `speed-whole.md` and `.json` to `out`. */
export async function runWholeCommand(options: {
  sizes: number[];
  runs: number;
  out: string;
}): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm build\` first`);
  const awm = findAudiowmark();
  const dir = mkdtempSync(join(tmpdir(), 'vaultmark-whole-'));
  const key = join(dir, 'bench.key');
  writeFileSync(key, serializeKey(BENCH_KEY), { mode: 0o600 });
  const source = loadSource();
  const runs: Run[] = [];
  const node = process.execPath;
  try {
    for (const size of options.sizes) {
      const track = join(dir, `track-${size}.wav`);
      await writeTrack(track, source, size);
      const frames = Math.round(size * RATE);
      const ours = join(dir, `ours-${size}.wav`);
      const theirs = join(dir, `theirs-${size}.wav`);
      for (let run = 0; run < options.runs; run++) {
        const embed = () => {
          const m = timed([node, BIN, 'embed', '--key', key, track, ours, BENCH_PAYLOAD]);
          runs.push({ size, command: 'vaultmark embed', ...m });
        };
        const add = () => {
          const m = timed([awm as string, 'add', track, theirs, BENCH_PAYLOAD]);
          runs.push({ size, command: 'audiowmark add', ...m });
        };
        for (const step of run % 2 === 0 ? [embed, add] : [add, embed]) {
          if (step === add && !awm) continue;
          step();
        }
        // Every embed's output checked: whole length; the detections below check the mark.
        const got = await framesOf(ours);
        if (got !== frames) throw new Error(`vaultmark embed wrote ${got} frames, not ${frames}`);
        const detect = () => {
          const m = timed([node, BIN, 'detect', '--key', key, ours]);
          if (!m.stdout.includes(BENCH_PAYLOAD)) {
            throw new Error(`vaultmark detect did not find the payload:\n${m.stdout}`);
          }
          runs.push({ size, command: 'vaultmark detect', ...m });
        };
        const get = () => {
          const m = timed([awm as string, 'get', theirs]);
          if (!m.stdout.includes(BENCH_PAYLOAD)) {
            throw new Error(`audiowmark get did not find the payload:\n${m.stdout}`);
          }
          runs.push({ size, command: 'audiowmark get', ...m });
        };
        for (const step of run % 2 === 0 ? [detect, get] : [get, detect]) {
          if (step === get && !awm) continue;
          step();
        }
        const last = runs.slice(-4);
        console.log(
          `${size} s run ${run + 1}: ${last.map((r) => `${r.command} ${(r.wallMs / 1000).toFixed(2)} s`).join(', ')}`,
        );
      }
      rmSync(track, { force: true });
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(runs, options, awm);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function report(
  runs: Run[],
  options: { sizes: number[]; runs: number; out: string },
  awm: string | undefined,
): void {
  const rows = [
    '| track | command | runs | median wall s | min wall s | median CPU s | peak RSS MB (max) | audiowmark ÷ vaultmark (wall) | (CPU) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const json: unknown[] = [];
  const pairs: Array<[Run['command'], Run['command']]> = [
    ['vaultmark embed', 'audiowmark add'],
    ['vaultmark detect', 'audiowmark get'],
  ];
  for (const size of options.sizes) {
    for (const [ours, theirs] of pairs) {
      const a = runs.filter((r) => r.size === size && r.command === ours);
      const b = runs.filter((r) => r.size === size && r.command === theirs);
      const ratio =
        b.length > 0 ? median(b.map((r) => r.wallMs)) / median(a.map((r) => r.wallMs)) : undefined;
      const cpuOf = (list: Run[]) => {
        const xs = list.map((r) => r.cpuS).filter((x): x is number => x !== undefined);
        return xs.length > 0 ? median(xs) : undefined;
      };
      const cpuA = cpuOf(a);
      const cpuB = cpuOf(b);
      const cpuRatio = cpuA !== undefined && cpuB !== undefined ? cpuB / cpuA : undefined;
      for (const [command, list] of [
        [ours, a],
        [theirs, b],
      ] as const) {
        if (list.length === 0) continue;
        const walls = list.map((r) => r.wallMs / 1000);
        const peaks = list.map((r) => r.peakMb).filter((x): x is number => x !== undefined);
        const peak = peaks.length > 0 ? Math.max(...peaks) : undefined;
        const entry = {
          size,
          command,
          runs: list.length,
          medianSeconds: median(walls),
          minSeconds: Math.min(...walls),
          medianCpuSeconds: cpuOf(list),
          peakRssMb: peak,
          ratio: command === ours ? ratio : undefined,
          cpuRatio: command === ours ? cpuRatio : undefined,
        };
        json.push(entry);
        const x = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(2)}×`);
        rows.push(
          `| ${Number.isInteger(size / 60) ? size / 60 : (size / 60).toFixed(1)} min | \`${command}\` | ${list.length} | ${entry.medianSeconds.toFixed(2)} | ${entry.minSeconds.toFixed(2)} | ${entry.medianCpuSeconds === undefined ? '–' : entry.medianCpuSeconds.toFixed(2)} | ${peak === undefined ? '–' : peak.toFixed(0)} | ${command === ours ? x(ratio) : ''} | ${command === ours ? x(cpuRatio) : ''} |`,
        );
      }
    }
  }
  const header = [
    `Whole commands on ${SOURCE.id} (44.1 kHz stereo 16-bit WAV) repeated to each length; ${cpus().length} cores; ` +
      `node ${process.version}; native threads: ${process.env.VAULTMARK_THREADS ?? 'all'}; audiowmark: ${awm ?? 'not found'}.`,
    'Wall time includes process start-up, reading, converting and writing; CPU (user + system) and peak RSS from /usr/bin/time.',
    '',
  ];
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'speed-whole.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(options.out, 'speed-whole.md'), `${[...header, ...rows].join('\n')}\n`);
  console.log([...header, ...rows].join('\n'));
}
