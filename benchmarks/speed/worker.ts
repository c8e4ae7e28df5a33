/**
 * One timed measurement in its own process (so the implementation is chosen by VAULTMARK_IMPL at
 * load and the memory figure is this run's alone). Prints one JSON line.
 *   worker.ts embed  <seconds>            streaming embed of the tiled source track
 *   worker.ts detect <16-bit WAV file>    chunked detection with default options
 * Only the embedder's and detector's calls are timed (reading and tiling the input are not);
 * creating the embedder or detector (which derives the key's layout) is timed apart as setup.
 */
import { openAudioStream } from '@vaultmark/analysis';
import { activeImplementation, createDetector, createEmbedder } from '@vaultmark/watermark';
import { BENCH_KEY, BENCH_PAYLOAD } from './key.js';
import { CHANNELS, CHUNK, loadSource, RATE, tiledChunks } from './track.js';

const [task, arg] = process.argv.slice(2);

function rssMb(): number {
  return process.memoryUsage.rss() / 2 ** 20;
}

let wall = 0;
let cpu = 0;
let peak = 0;
let setupMs = 0;
function setup<T>(fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  setupMs += performance.now() - t0;
  return out;
}
function timed<T>(fn: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  wall += performance.now() - t0;
  const c = process.cpuUsage(c0);
  cpu += (c.user + c.system) / 1000;
  peak = Math.max(peak, rssMb());
  return out;
}

const result: Record<string, unknown> = { task, impl: activeImplementation().name };
if (task === 'embed') {
  const seconds = Number(arg);
  const source = loadSource();
  const baseline = rssMb();
  peak = baseline;
  const emb = setup(() =>
    createEmbedder({
      key: BENCH_KEY,
      payload: BENCH_PAYLOAD,
      sampleRate: RATE,
      channels: CHANNELS,
    }),
  );
  // Mark energy Σ(y − x)² and sample count: compared across implementations by the runner.
  let energy = 0;
  let samples = 0;
  const pendingIn: Float32Array[][] = [];
  let lag = 0;
  const account = (out: Float32Array[]) => {
    let n = (out[0] as Float32Array).length;
    let o = 0;
    while (n > 0) {
      const src = pendingIn[0] as Float32Array[];
      const take = Math.min(n, (src[0] as Float32Array).length - lag);
      for (let c = 0; c < CHANNELS; c++) {
        const x = src[c] as Float32Array;
        const y = out[c] as Float32Array;
        for (let i = 0; i < take; i++)
          energy += ((y[o + i] as number) - (x[lag + i] as number)) ** 2;
      }
      samples += take;
      o += take;
      n -= take;
      lag += take;
      if (lag === (src[0] as Float32Array).length) {
        pendingIn.shift();
        lag = 0;
      }
    }
  };
  for (const chunk of tiledChunks(source, seconds)) {
    pendingIn.push(chunk);
    account(timed(() => emb.push(chunk)));
  }
  account(timed(() => emb.flush()));
  Object.assign(result, { seconds, energy, samples, baselineMb: baseline });
} else if (task === 'detect') {
  const baseline = rssMb();
  peak = baseline;
  let frames = 0;
  const det = setup(() =>
    createDetector({ keys: [BENCH_KEY], sampleRate: RATE, channels: CHANNELS }),
  );
  const input = await openAudioStream(arg as string, { chunkFrames: CHUNK });
  for await (const chunk of input.chunks) {
    frames += (chunk[0] as Float32Array).length;
    timed(() => det.push(chunk));
  }
  const r = timed(() => det.finish());
  Object.assign(result, {
    seconds: frames / RATE,
    found: r.found,
    payloads: r.matches.map((m) => m.payload),
    hypotheses: r.hypotheses,
    baselineMb: baseline,
  });
} else {
  throw new Error(`unknown task ${task}`);
}
Object.assign(result, { wallMs: wall, cpuMs: cpu, peakMb: peak, setupMs });
console.log(JSON.stringify(result));
