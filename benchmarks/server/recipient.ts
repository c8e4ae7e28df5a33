/**
 * Recipient listening through the composed vault server, timed as the player sees it (request
 * sent to first byte of audio, over HTTP on loopback), against a 3-minute 44.1 kHz stereo WAV:
 *
 * - master: the unmarked WAV served from memory by a bare app (the baseline: HTTP and Range only);
 * - stream: `/s/<link>/tracks/<id>/stream` on the real server: the recipient's marked MP3 preview
 *   (link check, audit, play counting, the preview from memory once rendered);
 * - download-range: `/s/<link>/tracks/<id>/download` with a Range (the marked lossless WAV: the
 *   whole master read, decrypted and hashed, the decode reused, the range embedded live).
 *
 * Seeks are `--concurrency` listeners at once (default 10), each asking for a range at a random
 * offset (256 KiB: the first buffer a player needs), repeated `--rounds` times, modes interleaved
 * round by round. The first play of a recipient (the preview rendered: marked, then encoded) is
 * timed apart, for several recipients.
 *
 *   pnpm --filter @vaultmark/benchmarks run bench:recipient [--seconds 180] [--rounds 8]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createApp, createVaultServer, listen, loadConfig, sendMedia } from '@vaultmark/server';
import pino from 'pino';

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

// The composed server on its embedded defaults, worker included.
const config = loadConfig({ LOG_LEVEL: 'silent' }, { dataDir: join(dir, 'data'), port: 0 });
const vault = await createVaultServer({ config });
const running = await vault.listen(0);
config.publicBaseUrl = running.url;
// Sign-up confirms the address with the code the embedded vault writes to its outbox.
const asked = await fetch(`${running.url}/api/auth/register`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    email: 'bench@example.com',
    password: 'bench password 1',
    displayName: 'B',
  }),
});
const outbox = join(dir, 'data', 'outbox');
const mail = readdirSync(outbox).map((name) => readFileSync(join(outbox, name), 'utf8'));
const code = /code is (\d{6})/.exec(mail.join('\n'))?.[1];
const register = await fetch(`${running.url}/api/auth/register/verify`, {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    Cookie: asked.headers.getSetCookie()[0]!.split(';')[0]!,
  },
  body: JSON.stringify({ code }),
});
const cookie = register.headers
  .getSetCookie()
  .map((c) => c.split(';')[0]!)
  .find((c) => c.startsWith('vaultmark_session='))!;
const { csrfToken } = (await register.json()) as { csrfToken: string };
const owner = { Cookie: cookie, 'X-CSRF-Token': csrfToken };
const form = new FormData();
form.set('file', new Blob([wav]), 'master.wav');
const track = (await (
  await fetch(`${running.url}/api/tracks`, { method: 'POST', headers: owner, body: form })
).json()) as { id: string };
const share = (await (
  await fetch(`${running.url}/api/shares`, {
    method: 'POST',
    headers: { ...owner, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      trackIds: [track.id],
      recipients: Array.from({ length: recipientCount + 1 }, (_, i) => ({
        name: `R${i}`,
        email: `r${i}@example.com`,
      })),
      allowDownload: true,
    }),
  })
).json()) as { links: { url: string }[] };
const [link, ...firstPlays] = share.links.map((l) => l.url) as [string, ...string[]];
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

const urls = {
  master: `${baseline.url}/master.wav`,
  stream: `${link}/tracks/${track.id}/stream`,
  'download-range': `${link}/tracks/${track.id}/download`,
};
type Mode = keyof typeof urls;

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

// The first play of each of several recipients: the preview is rendered (marked, then encoded).
const firstPlayMs: number[] = [];
for (const url of firstPlays) {
  firstPlayMs.push((await fetchRange(`${url}/tracks/${track.id}/stream`, 0)).ttfb);
}
// Warm the measured recipient's preview and decode, and learn the sizes.
await fetchRange(urls.stream, 0);
const sizeOf = async (url: string) =>
  Number(
    (await fetch(url, { headers: { Range: 'bytes=0-0' } })).headers
      .get('content-range')!
      .split('/')[1],
  );
const sizes: Record<Mode, number> = {
  master: wav.length,
  stream: await sizeOf(urls.stream),
  'download-range': wav.length,
};
let seed = 11;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const samples: Record<Mode, number[]> = { master: [], stream: [], 'download-range': [] };
const cpuBefore = process.cpuUsage();
for (let round = 0; round < rounds; round++) {
  for (const mode of Object.keys(urls) as Mode[]) {
    const size = sizes[mode];
    const results = await Promise.all(
      Array.from({ length: concurrency }, () =>
        fetchRange(urls[mode], Math.floor(random() * (size - RANGE)), RANGE),
      ),
    );
    samples[mode].push(...results.map((r) => r.ttfb));
  }
}
const cpuMs = (process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1000;
const quantile = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
const round1 = (x: number) => Math.round(x * 10) / 10;
const base = quantile(samples.master, 0.5);
const rows = (Object.keys(urls) as Mode[]).map((mode) => ({
  mode,
  p50Ms: round1(quantile(samples[mode], 0.5)),
  p99Ms: round1(quantile(samples[mode], 0.99)),
  vsMaster: round1(quantile(samples[mode], 0.5) / base),
}));
const previewBitsPerSecond = (sizes.stream * 8) / seconds;
const table = [
  `Recipient seeks: ${concurrency} listeners at once, ${rounds} rounds, ranges of ${RANGE / 1024} KiB at random offsets of a ${seconds}-s stereo WAV (time to the first byte of audio)`,
  '',
  '| mode | p50 (ms) | p99 (ms) | p50 vs master |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.mode} | ${r.p50Ms} | ${r.p99Ms} | ${r.vsMaster} |`),
  '',
  `First play of a recipient (the preview rendered: marked, then MP3-encoded): median ${round1(quantile(firstPlayMs, 0.5))} ms over ${firstPlayMs.length} recipients.`,
  `A preview costs ${round1(sizes.stream / 1024 / 1024)} MiB of memory (${round1(previewBitsPerSecond / 1000)} kbps); at ${round1(
    (cpuMs / 1000 / (rounds * 3 * concurrency)) * 1000,
  )} ms of this process's CPU per range request (all modes).`,
].join('\n');
console.log(table);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'recipient.md'), `${table}\n`);
writeFileSync(
  join(values.out, 'recipient.json'),
  JSON.stringify({ seconds, rounds, concurrency, rows, firstPlayMs }, null, 2),
);
await vault.close(500);
await baseline.close(100);
rmSync(dir, { recursive: true, force: true });
