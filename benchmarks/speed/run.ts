/**
 * Speed suite (`pnpm bench:speed`): embed and detect in × realtime for the TypeScript and native
 * implementations on a 44.1 kHz stereo track of each requested length, peak memory, ratios to the
 * TypeScript baseline measured in the same run, and audiowmark side by side when installed.
 *
 *   pnpm bench:speed                                  # 3-min and 60-min tracks, 3 runs each
 *   pnpm bench:speed --sizes 180 --runs 5             # only the 3-minute track
 *   pnpm bench:speed --sizes 180,3600 --runs 3 --long-runs 1 --tasks embed,detect,miss
 *   pnpm bench:speed --whole                          # whole commands: see whole-command.ts
 *
 * Fairness: every measurement runs in a fresh process (VAULTMARK_IMPL picks the implementation,
 * memory is that run's alone); implementations alternate order from run to run; only the
 * embedder's and detector's own calls are timed (tiling the source and reading the marked copy
 * are not); outputs are checked equal before any timing and every timed run's output is checked
 * again. × realtime = audio seconds / wall-clock seconds on this machine (the native path uses
 * all cores, capped by VAULTMARK_THREADS); CPU seconds are reported too.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbedder, detect, embed } from '@vaultmark/watermark';
import { availableBackends, withBackend } from '../../packages/watermark/src/implementation.js';
import { hasAudiowmark, timeAudiowmark, writeTrackWav } from './audiowmark.js';
import { BENCH_KEY, BENCH_PAYLOAD } from './key.js';
import { CHANNELS, loadSource, RATE, SOURCE, tiledChunks, writeWav16 } from './track.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'long-runs': { type: 'string' },
    tasks: { type: 'string', default: 'embed,detect,miss' },
    out: { type: 'string', default: new URL('../out/', import.meta.url).pathname },
    whole: { type: 'boolean', default: false },
  },
});
if (values.whole) {
  // Whole-command mode: the installed `vaultmark` bin against audiowmark (whole-command.ts).
  const { runWholeCommand } = await import('./whole-command.js');
  await runWholeCommand({
    sizes: (values.sizes ?? '180,1200').split(',').map(Number),
    runs: Number(values.runs),
    out: values.out,
  });
  process.exit(0);
}
const sizes = (values.sizes ?? '180,3600').split(',').map(Number);
const runs = Number(values.runs);
const longRuns = Number(values['long-runs'] ?? values.runs);
const tasks = values.tasks.split(',');
const backends = availableBackends();
const impls = backends.native ? ['ts', 'native'] : ['ts'];
if (!backends.native)
  console.log('native module not available: measuring the TypeScript path only');

const source = loadSource();
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-speed-'));
const worker = new URL('./worker.ts', import.meta.url).pathname;

// --- 1. Outputs checked equal before timing --------------------------------------------------
function checkEquivalence(): string {
  const thirty = { sampleRate: RATE, channels: concat([...tiledChunks(source, 30)]) };
  const opts = { key: BENCH_KEY, payload: BENCH_PAYLOAD };
  const ts = withBackend(backends.ts, () => embed(thirty, opts));
  if (!backends.native) return 'TypeScript only';
  const native = withBackend(backends.native, () => embed(thirty, opts));
  let diff = 0;
  ts.channels.forEach((ch, c) => {
    const other = native.channels[c] as Float32Array;
    for (let i = 0; i < ch.length; i++)
      diff = Math.max(diff, Math.abs((ch[i] as number) - (other[i] as number)));
  });
  if (diff > 1 / 32768) throw new Error(`embedded samples differ by ${diff} (> 1 LSB at 16-bit)`);
  const a = withBackend(backends.ts, () => detect(ts, { keys: [BENCH_KEY] }));
  const b = withBackend(backends.native, () => detect(ts, { keys: [BENCH_KEY] }));
  const same =
    a.found &&
    b.found &&
    a.matches[0]?.payload === BENCH_PAYLOAD &&
    b.matches[0]?.payload === BENCH_PAYLOAD;
  if (!same) throw new Error('detection results differ between implementations');
  return `30 s: embedded samples within ${diff.toExponential(2)} (1 LSB = 3.05e-5); both detect the payload`;
}

function concat(chunks: Float32Array[][]): Float32Array[] {
  return Array.from({ length: CHANNELS }, (_, c) => {
    const out = new Float32Array(chunks.reduce((s, ch) => s + (ch[c] as Float32Array).length, 0));
    let o = 0;
    for (const ch of chunks) {
      out.set(ch[c] as Float32Array, o);
      o += (ch[c] as Float32Array).length;
    }
    return out;
  });
}

// --- 2. Inputs of the detection runs (written once, untimed) ----------------------------------
async function writeMarked(seconds: number): Promise<string> {
  const path = join(dir, `marked-${seconds}.wav`);
  const emb = createEmbedder({
    key: BENCH_KEY,
    payload: BENCH_PAYLOAD,
    sampleRate: RATE,
    channels: CHANNELS,
  });
  await writeWav16(
    path,
    (function* () {
      for (const chunk of tiledChunks(source, seconds)) yield emb.push(chunk);
      yield emb.flush();
    })(),
  );
  return path;
}

async function writeUnmarked(seconds: number): Promise<string> {
  const path = join(dir, `unmarked-${seconds}.wav`);
  await writeWav16(path, tiledChunks(source, seconds));
  return path;
}

interface Measurement {
  task: string;
  impl: string;
  seconds: number;
  wallMs: number;
  cpuMs: number;
  peakMb: number;
  baselineMb: number;
  setupMs: number;
  energy?: number;
  samples?: number;
  found?: boolean;
  payloads?: string[];
}

function measure(impl: string, task: string, arg: string): Measurement {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, worker, task === 'miss' ? 'detect' : task, arg],
    {
      env: { ...process.env, VAULTMARK_IMPL: impl },
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`${impl} ${task} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() as string;
  return { ...(JSON.parse(line) as Measurement), task };
}

const check = checkEquivalence();
console.log(`equivalence check: ${check}`);
const results: Array<Measurement & { size: number }> = [];
const awm: Array<{ size: number; task: string; wallMs: number }> = [];
const withAwm = hasAudiowmark();

for (const size of sizes) {
  const inputs: Record<string, string> = {};
  if (tasks.includes('detect')) inputs.detect = await writeMarked(size);
  // Unmarked audio is the slow case: every search stage (offsets, ±1.3% speed and tempo, ±5.6%
  // speed) runs before the detector concludes there is nothing. Measured on the shortest size.
  if (tasks.includes('miss') && size === sizes[0]) inputs.miss = await writeUnmarked(size);
  const wav = withAwm ? join(dir, `track-${size}.wav`) : '';
  const awmMarked = join(dir, `awm-marked-${size}.wav`);
  if (withAwm) {
    await writeTrackWav(wav, source, size);
    // The copy audiowmark's detection reads (untimed; the timed embed writes elsewhere).
    if (tasks.includes('detect')) timeAudiowmark(['add', wav, awmMarked, BENCH_PAYLOAD]);
  }
  const n = size === Math.max(...sizes) && sizes.length > 1 ? longRuns : runs;
  for (let run = 0; run < n; run++) {
    const order = run % 2 === 0 ? impls : [...impls].reverse();
    for (const task of tasks) {
      if (task !== 'embed' && !inputs[task]) continue;
      for (const impl of order) {
        const m = measure(impl, task, task === 'embed' ? String(size) : (inputs[task] as string));
        results.push({ ...m, size });
        console.log(
          `${size} s ${task} ${impl}: ${(m.wallMs / 1000).toFixed(2)} s wall, peak +${(m.peakMb - m.baselineMb).toFixed(0)} MB`,
        );
      }
      if (withAwm && task !== 'miss') {
        const wallMs =
          task === 'embed'
            ? timeAudiowmark(['add', wav, join(dir, 'awm-embed.wav'), BENCH_PAYLOAD])
            : timeAudiowmark(['get', awmMarked]);
        awm.push({ size, task, wallMs });
      }
    }
  }
  for (const path of Object.values(inputs)) rmSync(path, { force: true });
}
rmSync(dir, { recursive: true, force: true });

// --- 3. Every timed output checked ----------------------------------------------------------
for (const m of results) {
  if (m.task === 'embed') {
    const ref = results.find((x) => x.task === 'embed' && x.size === m.size && x.impl === 'ts');
    if (m.samples !== Math.round(m.size * RATE))
      throw new Error(`${m.impl} embed returned ${m.samples} samples`);
    if (ref?.energy && Math.abs((m.energy as number) / ref.energy - 1) > 1e-4) {
      throw new Error(
        `${m.impl} embed: mark energy ${m.energy} differs from the TypeScript path's ${ref.energy}`,
      );
    }
  } else {
    const want = m.task === 'detect';
    const ok =
      m.found === want && (!want || (m.payloads?.length === 1 && m.payloads[0] === BENCH_PAYLOAD));
    if (!ok)
      throw new Error(
        `${m.impl} ${m.task} on ${m.size} s: unexpected result ${JSON.stringify(m.payloads)}`,
      );
  }
}

// --- 4. Report -------------------------------------------------------------------------------
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const label: Record<string, string> = {
  embed: 'embed (streaming)',
  detect: 'detect marked copy',
  miss: 'detect unmarked (all search stages)',
};
const rows: string[] = [
  '| track | task | implementation | runs | median s | min s | × realtime (median) | × realtime (best) | CPU s (median) | × realtime per CPU s | vs TypeScript | vs audiowmark | setup s | peak extra memory (MB) |',
  '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const json: unknown[] = [];
const fmt = (x: number, d = 1) => x.toFixed(d);
for (const size of sizes) {
  for (const task of tasks) {
    const base = results.filter((m) => m.size === size && m.task === task && m.impl === 'ts');
    if (base.length === 0) continue;
    const baseMedian = median(base.map((m) => m.wallMs));
    const a = awm.filter((x) => x.size === size && x.task === task);
    const awmMedian = a.length > 0 ? median(a.map((x) => x.wallMs)) : undefined;
    for (const impl of impls) {
      const ms = results.filter((m) => m.size === size && m.task === task && m.impl === impl);
      const walls = ms.map((m) => m.wallMs);
      const med = median(walls);
      const min = Math.min(...walls);
      const memory = Math.max(...ms.map((m) => m.peakMb - m.baselineMb));
      const entry = {
        size,
        task,
        impl,
        runs: ms.length,
        medianSeconds: med / 1000,
        minSeconds: min / 1000,
        realtimeMedian: size / (med / 1000),
        realtimeBest: size / (min / 1000),
        cpuSeconds: median(ms.map((m) => m.cpuMs)) / 1000,
        speedup: baseMedian / med,
        vsAudiowmark: awmMedian === undefined ? undefined : awmMedian / med,
        setupSeconds: median(ms.map((m) => m.setupMs)) / 1000,
        peakExtraMb: memory,
      };
      json.push(entry);
      rows.push(
        `| ${fmt(size / 60, 1)} min | ${label[task]} | ${impl} | ${ms.length} | ${fmt(entry.medianSeconds, 2)} | ${fmt(entry.minSeconds, 2)} | ${fmt(entry.realtimeMedian, 0)} | ${fmt(entry.realtimeBest, 0)} | ${fmt(entry.cpuSeconds, 2)} | ${fmt(size / entry.cpuSeconds, 0)} | ${fmt(entry.speedup, 2)}× | ${entry.vsAudiowmark === undefined ? '–' : `${fmt(entry.vsAudiowmark, 2)}×`} | ${fmt(entry.setupSeconds, 2)} | ${fmt(memory, 0)} |`,
      );
    }
    if (a.length > 0) {
      const med = median(a.map((x) => x.wallMs));
      const min = Math.min(...a.map((x) => x.wallMs));
      json.push({
        size,
        task,
        impl: 'audiowmark',
        medianSeconds: med / 1000,
        minSeconds: min / 1000,
      });
      rows.push(
        `| ${fmt(size / 60, 1)} min | ${label[task]} | audiowmark${task === 'detect' ? ' (plain get)' : ''} | ${a.length} | ${fmt(med / 1000, 2)} | ${fmt(min / 1000, 2)} | ${fmt(size / (med / 1000), 0)} | ${fmt(size / (min / 1000), 0)} | – | – | ${fmt(baseMedian / med, 2)}× | 1.00× | – | – |`,
      );
    }
  }
}
const header = [
  `Track: ${SOURCE.id} (corpus, 44.1 kHz stereo) repeated to each length; ${cpus().length} cores; ` +
    `native threads: ${process.env.VAULTMARK_THREADS ?? 'all'}; audiowmark: ${withAwm ? 'on PATH' : 'not installed'}.`,
  `Equivalence before timing: ${check}.`,
  '',
];
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'speed.json'), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(values.out, 'speed.md'), `${[...header, ...rows].join('\n')}\n`);
console.log([...header, ...rows].join('\n'));
