/**
 * Recipient listening through the composed vault server, timed as the player sees it (request
 * sent to first byte of audio, over HTTP on loopback), against a 3-minute 44.1 kHz stereo WAV:
 *
 * - master: the unmarked WAV served from memory by a bare app (the baseline: HTTP and Range only);
 * - play: `/s/<link>/tracks/<id>/stream` from byte 0 (pressing play: the link checked, the play
 *   counted and audited, the recipient's stored marked MP3 preview served);
 * - seek: the same stream at a random offset (a seek within the play: checked, not counted);
 * - download-range: `/s/<link>/tracks/<id>/download` with a Range (the marked lossless WAV: the
 *   decode reused, the range embedded live; each request counts as a download).
 *
 * Each mode is `--concurrency` listeners at once (default 10) asking for 256 KiB (the first
 * buffer a player needs), repeated `--rounds` times, modes interleaved round by round, once the
 * share's previews job has rendered and stored every recipient's preview. Apart: the first play
 * right after the share is created (the preview rendered on demand), the previews job's cost per
 * preview, and the CPU per second of listening when every listener plays the whole preview at once
 * (what bounds real-time listeners per core).
 *
 *   pnpm --filter @vaultmark/benchmarks run bench:recipient [--seconds 180] [--rounds 8]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createApp, listen, sendMedia } from '@vaultmark/server';
import { vaultDeps, withSystem } from '@vaultmark/vault-core/testing';
import pino from 'pino';
import { startSignedInVault } from './signed-in-vault.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    rounds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '10' },
    recipients: { type: 'string', default: '3' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const recipientCount = Number(values.recipients);
const RANGE = 256 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-bench-recipient-'));

// The master: pink noise under two tones, 16-bit stereo, made by ffmpeg.
const wavPath = join(dir, 'master.wav');
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  `anoisesrc=c=pink:a=0.08:d=${seconds}:seed=5`,
  '-f',
  'lavfi',
  '-i',
  `sine=f=220:d=${seconds}`,
  '-f',
  'lavfi',
  '-i',
  `sine=f=331:d=${seconds}`,
  '-filter_complex',
  'amix=inputs=3:normalize=0,aformat=channel_layouts=stereo',
  '-c:a',
  'pcm_s16le',
  wavPath,
]);
const wav = readFileSync(wavPath);

// Baseline: the unmarked bytes from memory.
const bare = createApp({ logger: pino({ level: 'silent' }) });
bare.app.use(async (ctx) => {
  await sendMedia(ctx, {
    size: wav.length,
    contentType: 'audio/wav',
    open: (start, end) => Readable.from([wav.subarray(start, end + 1)]),
  });
});
const baseline = await listen(bare.app, 0);

// The composed server on its embedded defaults, worker included, with one owner signed in.
const { vault, running, owner } = await startSignedInVault(dir, 'bench@example.com', 'B');
const form = new FormData();
form.set('file', new Blob([wav]), 'master.wav');
const track = (await (
  await fetch(`${running.url}/api/tracks`, { method: 'POST', headers: owner, body: form })
).json()) as { id: string };
// Let the upload's analysis job finish so it does not compete with the measurements.
for (;;) {
  const t = (await (
    await fetch(`${running.url}/api/tracks/${track.id}`, { headers: owner })
  ).json()) as {
    analysisStatus: string;
  };
  if (t.analysisStatus === 'done' || t.analysisStatus === 'failed') break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function createShare(recipients: number): Promise<string[]> {
  const created = (await (
    await fetch(`${running.url}/api/shares`, {
      method: 'POST',
      headers: { ...owner, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        trackIds: [track.id],
        recipients: Array.from({ length: recipients }, (_, i) => ({
          name: `R${i}`,
          email: `r${i}@example.com`,
        })),
        allowDownload: true,
      }),
    })
  ).json()) as { links: { url: string }[] };
  return created.links.map((l) => l.url);
}

/** Waits for the share previews jobs to finish; returns their run times (ms). */
async function previewJobs(): Promise<{ ms: number; previews: number }[]> {
  for (;;) {
    const jobs = await withSystem(vaultDeps(vault.vault).db, (tx) =>
      tx('jobs').where({ queue: 'previews' }).select('state', 'result', 'created_at', 'updated_at'),
    );
    if (jobs.every((j) => j.state === 'done' || j.state === 'failed')) {
      return jobs.map((j) => ({
        ms: new Date(j.updated_at).getTime() - new Date(j.created_at).getTime(),
        previews: Number((j.result as { previews?: number } | null)?.previews ?? 0),
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function fetchRange(url: string, offset: number, length = RANGE) {
  const started = performance.now();
  const response = await fetch(url, {
    headers: { Range: `bytes=${offset}-${offset + length - 1}` },
  });
  if (response.status !== 206) throw new Error(`${url}: HTTP ${response.status}`);
  const reader = response.body!.getReader();
  let ttfb = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) ttfb = performance.now() - started;
    bytes += value.length;
  }
  return { ttfb, total: performance.now() - started, bytes };
}

// The first play right after a share is created: the preview is rendered on demand (marked,
// then encoded), or joined if the previews job already started it.
const firstPlayMs: number[] = [];
for (let i = 0; i < recipientCount; i++) {
  const [url] = await createShare(1);
  firstPlayMs.push((await fetchRange(`${url}/tracks/${track.id}/stream`, 0)).ttfb);
}
await previewJobs();

// The measured share: its previews job renders and stores every recipient's preview.
const jobStarted = performance.now();
const links = await createShare(concurrency);
const jobs = await previewJobs();
const renderMs = (performance.now() - jobStarted) / concurrency;
const streams = links.map((l) => `${l}/tracks/${track.id}/stream`);
const downloads = links.map((l) => `${l}/tracks/${track.id}/download`);
const sizeOf = async (url: string) =>
  Number(
    (await fetch(url, { headers: { Range: 'bytes=1-1' } })).headers
      .get('content-range')!
      .split('/')[1],
  );
const previewSize = await sizeOf(streams[0]!);
// The first play once the previews job has run (the preview stored and in memory).
const readyPlayMs: number[] = [];
for (const url of streams.slice(0, 3)) readyPlayMs.push((await fetchRange(url, 0)).ttfb);

const modes = ['master', 'play', 'seek', 'download-range'] as const;
type Mode = (typeof modes)[number];
let seed = 11;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const request: Record<Mode, (listener: number) => Promise<{ ttfb: number }>> = {
  master: () =>
    fetchRange(`${baseline.url}/master.wav`, Math.floor(random() * (wav.length - RANGE))),
  play: (i) => fetchRange(streams[i]!, 0),
  seek: (i) => fetchRange(streams[i]!, Math.floor(random() * (previewSize - RANGE))),
  'download-range': (i) => fetchRange(downloads[i]!, Math.floor(random() * (wav.length - RANGE))),
};
const samples: Record<Mode, number[]> = { master: [], play: [], seek: [], 'download-range': [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const results = await Promise.all(
      Array.from({ length: concurrency }, (_, i) => request[mode](i)),
    );
    samples[mode].push(...results.map((r) => r.ttfb));
  }
}

// Every listener plays the whole preview at once: CPU of this process per second of audio served.
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
await Promise.all(streams.map((url) => fetchRange(url, 0, previewSize)));
const cpu = process.cpuUsage(cpuBefore);
const cpuMsPerListenSecond = (cpu.user + cpu.system) / 1000 / (concurrency * seconds);
const wholeMs = performance.now() - wallBefore;

const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
const round1 = (x: number) => Math.round(x * 10) / 10;
const base = quantile(samples.master, 0.5);
const rows = modes.map((mode) => ({
  mode,
  p50Ms: round1(quantile(samples[mode], 0.5)),
  p99Ms: round1(quantile(samples[mode], 0.99)),
  vsMaster: round1(quantile(samples[mode], 0.5) / base),
}));
const table = [
  `Recipient listening: ${concurrency} listeners at once, ${rounds} rounds, ranges of ${RANGE / 1024} KiB (time to the first byte of audio, request included), ${seconds}-s stereo track`,
  '',
  '| mode | p50 (ms) | p99 (ms) | p50 vs master |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.mode} | ${r.p50Ms} | ${r.p99Ms} | ${r.vsMaster} |`),
  '',
  `First play right after the share is created (preview rendered on demand): median ${round1(quantile(firstPlayMs, 0.5))} ms over ${firstPlayMs.length} recipients.`,
  `First play once the share's previews job has run: median ${round1(quantile(readyPlayMs, 0.5))} ms (${round1(quantile(readyPlayMs, 0.5) / base)}× the master's seek).`,
  `Previews job: ${round1(renderMs)} ms of wall time per preview (${jobs.at(-1)?.previews} previews); each preview stores ${round1(previewSize / 1024 / 1024)} MiB encrypted (${round1((previewSize * 8) / seconds / 1000)} kbps).`,
  `${concurrency} listeners fetching their whole preview at once: ${round1(wholeMs)} ms; ${round1(cpuMsPerListenSecond * 1000) / 1000} ms of CPU (server and clients in this process) per second of audio, so about ${Math.round(1000 / cpuMsPerListenSecond)} real-time listeners per core.`,
].join('\n');
console.log(table);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'recipient.md'), `${table}\n`);
writeFileSync(
  join(values.out, 'recipient.json'),
  JSON.stringify(
    {
      seconds,
      rounds,
      concurrency,
      rows,
      firstPlayMs,
      readyPlayMs,
      renderMs,
      cpuMsPerListenSecond,
    },
    null,
    2,
  ),
);
await vault.close(500);
await baseline.close(100);
rmSync(dir, { recursive: true, force: true });
