/**
 * Streaming load benchmark: concurrent recipients fetching their own watermarked copy over
 * loopback HTTP, against the same server serving the unmarked master (the baseline, measured in
 * the same run). Reports time to first byte (p50/p99) and throughput at 1, 10 and 50 concurrent
 * streams, for on-the-fly embedding of Range requests and for pre-rendered per-recipient copies.
 *
 *   pnpm bench:server [--seconds 180] [--read-seconds 30] [--concurrency 1,10,50]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createApp, listen, sendMedia } from '@vaultmark/server';
import { markedWavLayout, watermarkedWav } from '@vaultmark/vault-core/testing';
import { embed, generateKey } from '@vaultmark/watermark';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    'read-seconds': { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '1,10,50' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const sampleRate = 44_100;
const seconds = Number(values.seconds);
const readBytes = Math.round(Number(values['read-seconds']) * sampleRate) * 4;
const levels = values.concurrency.split(',').map(Number);

/** A deterministic music-like stereo signal (chords with envelopes and noise). */
function signal(length: number): Float32Array[] {
  let seed = 1;
  const noise = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  };
  return [0, 1].map((c) => {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const t = i / sampleRate;
      const beat = (t * 2) % 1;
      let v = 0;
      for (const f of [261.6, 329.6, 392.0]) v += Math.sin(2 * Math.PI * f * (1 + c * 0.002) * t);
      out[i] = 0.15 * v * (0.5 + 0.5 * Math.exp(-4 * beat)) + 0.02 * noise();
    }
    return out;
  });
}

/** A 16-bit stereo WAV of `channels`, laid out exactly as the live marked copies are. */
function pcm16(channels: Float32Array[]): Buffer {
  const layout = markedWavLayout({ sampleRate, channels: 2, length });
  return Buffer.concat([layout.header, layout.encode(channels, 0, length)]);
}

function bufferMedia(bytes: Buffer) {
  return {
    size: bytes.length,
    contentType: 'audio/wav',
    open: (start: number, end: number) => Readable.from([bytes.subarray(start, end + 1)]),
  };
}

const length = seconds * sampleRate;
/** Byte offset of the first sample in every WAV served here. */
const dataOffset = markedWavLayout({ sampleRate, channels: 2, length }).dataOffset;

const master = signal(length);
const masterWav = pcm16(master);
const key = generateKey({ name: 'bench' });
const payloadFor = (n: number) => n.toString(16).padStart(32, '0');

// Pre-rendered copies: the cost is paid once per recipient, before the first play.
const renderStarted = performance.now();
const rendered = pcm16(
  embed({ sampleRate, channels: master }, { key, payload: payloadFor(1) }).channels,
);
const renderSeconds = (performance.now() - renderStarted) / 1000;

const { app } = createApp({ logger: pino({ level: 'silent' }) });
app.use(async (ctx) => {
  const [, mode, id] = ctx.path.split('/');
  const n = Number(id ?? 0);
  if (mode === 'master') await sendMedia(ctx, bufferMedia(masterWav));
  else if (mode === 'rendered') await sendMedia(ctx, bufferMedia(rendered));
  else if (mode === 'live') {
    await sendMedia(
      ctx,
      watermarkedWav(
        {
          sampleRate,
          channels: 2,
          length,
          read: async (start, end) => master.map((ch) => ch.subarray(start, end)),
        },
        { key, payload: payloadFor(n) },
      ),
    );
  }
});
const server = await listen(app, 0);

async function stream(url: string, offset: number): Promise<{ ttfb: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    headers: { Range: `bytes=${offset}-${offset + readBytes - 1}` },
  });
  const reader = response.body!.getReader();
  let ttfb = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) ttfb = performance.now() - started;
    bytes += value.length;
  }
  return { ttfb, bytes };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  mode: string;
  concurrency: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  throughputMBs: number;
  realtimeStreams: number;
}
const rows: Row[] = [];
// Warm-up (JIT, connection set-up) so it is not charged to whichever mode runs first.
for (const mode of ['master', 'rendered', 'live'])
  await stream(`${server.url}/${mode}/1`, dataOffset);
// Interleave modes at each level so machine noise hits all of them alike.
for (const concurrency of levels) {
  for (const mode of ['master', 'rendered', 'live']) {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: concurrency }, (_, i) => {
        // Each recipient starts somewhere else in the track (a seek), at a sample boundary.
        const offset = dataOffset + ((i * 7919) % Math.max(1, seconds - 31)) * sampleRate * 4;
        return stream(`${server.url}/${mode}/${i + 2}`, offset);
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const bytes = results.reduce((sum, r) => sum + r.bytes, 0);
    const ttfbs = results.map((r) => r.ttfb);
    rows.push({
      mode,
      concurrency,
      ttfbP50Ms: Math.round(percentile(ttfbs, 50) * 10) / 10,
      ttfbP99Ms: Math.round(percentile(ttfbs, 99) * 10) / 10,
      throughputMBs: Math.round((bytes / wall / 1e6) * 10) / 10,
      realtimeStreams: Math.round((bytes / wall / (sampleRate * 4)) * 10) / 10,
    });
    process.stderr.write(`${mode} ×${concurrency}: ${JSON.stringify(rows.at(-1))}\n`);
  }
}
await server.close(1000);

const baseline = (concurrency: number) =>
  rows.find((r) => r.mode === 'master' && r.concurrency === concurrency)!;
const lines = [
  `Track: ${seconds} s, 44.1 kHz stereo 16-bit; each stream reads ${values['read-seconds']} s from a different offset (Range request).`,
  `Pre-rendering one recipient's full copy took ${renderSeconds.toFixed(2)} s (${(seconds / renderSeconds).toFixed(0)}× realtime).`,
  '',
  '| mode | streams | TTFB p50 (ms) | TTFB p99 (ms) | throughput (MB/s) | realtime streams sustained | throughput vs unmarked |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.concurrency} | ${r.ttfbP50Ms} | ${r.ttfbP99Ms} | ${r.throughputMBs} | ${r.realtimeStreams} | ${(r.throughputMBs / baseline(r.concurrency).throughputMBs).toFixed(3)} |`,
  ),
];
mkdirSync(values.out, { recursive: true });
writeFileSync(
  join(values.out, 'server.json'),
  `${JSON.stringify({ seconds, renderSeconds, rows }, null, 2)}\n`,
);
writeFileSync(join(values.out, 'server.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
