/**
 * Recipient seeks through the composed vault server: a recipient's player asks for a 1 MiB byte
 * range at a random offset of their own watermarked copy (what a seek does). Three ways, interleaved
 * request by request, one at a time, against a 3-minute 44.1 kHz stereo WAV master:
 *
 * - master: the unmarked WAV served from memory by a bare app (the baseline: HTTP and Range only);
 * - stream: `/s/<link>/tracks/<id>/stream` on the real server (link check, audit, decryption of the
 *   first 64 KiB, a decode reused from memory, live embedding of the range);
 * - download-range: `/s/<link>/tracks/<id>/download` with the same Range (the download path reads,
 *   decrypts and hashes the whole master every time before it reuses the decode).
 *
 *   pnpm --filter @vaultmark/benchmarks run bench:recipient [--seconds 180] [--requests 15]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createApp, createVaultServer, listen, loadConfig, sendMedia } from '@vaultmark/server';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    requests: { type: 'string', default: '15' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const seconds = Number(values.seconds);
const requests = Number(values.requests);
const RANGE = 1024 * 1024;
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
const register = await fetch(`${running.url}/api/auth/register`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    email: 'bench@example.com',
    password: 'bench password 1',
    displayName: 'B',
  }),
});
const cookie = register.headers.getSetCookie()[0]!.split(';')[0]!;
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
      recipients: [{ name: 'R', email: 'r@example.com' }],
      allowDownload: true,
    }),
  })
).json()) as { links: { url: string }[] };
const link = share.links[0]!.url;
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

async function fetchRange(url: string, offset: number) {
  const started = performance.now();
  const response = await fetch(url, {
    headers: { Range: `bytes=${offset}-${offset + RANGE - 1}` },
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

// Same byte ranges for every mode, chosen with a fixed LCG.
let seed = 11;
const offsets = Array.from({ length: requests }, () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return 44 + 4 * Math.floor(((seed / 2 ** 32) * (wav.length - RANGE - 44)) / 4);
});
// Cold: the first stream request of the link decodes the master.
const cold = await fetchRange(urls.stream, offsets[0]!);
// Equal outputs before timing: the copy differs from the master (it is marked) but has its size.
const check = await Promise.all((Object.keys(urls) as Mode[]).map((m) => fetchRange(urls[m], 44)));
if (new Set(check.map((c) => c.bytes)).size !== 1) throw new Error('modes return different sizes');
const samples: Record<Mode, { ttfb: number[]; total: number[] }> = {
  master: { ttfb: [], total: [] },
  stream: { ttfb: [], total: [] },
  'download-range': { ttfb: [], total: [] },
};
for (const offset of offsets) {
  for (const mode of Object.keys(urls) as Mode[]) {
    const r = await fetchRange(urls[mode], offset);
    samples[mode].ttfb.push(r.ttfb);
    samples[mode].total.push(r.total);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const min = (v: number[]) => Math.min(...v);
const round = (x: number) => Math.round(x * 10) / 10;
const base = median(samples.master.total);
const rows = (Object.keys(urls) as Mode[]).map((mode) => ({
  mode,
  ttfbMedianMs: round(median(samples[mode].ttfb)),
  ttfbMinMs: round(min(samples[mode].ttfb)),
  totalMedianMs: round(median(samples[mode].total)),
  totalMinMs: round(min(samples[mode].total)),
  vsMaster: round(median(samples[mode].total) / base),
}));
const table = [
  `Recipient seeks: ${requests} ranges of 1 MiB (~6 s of audio) in a ${seconds}-s stereo WAV, one at a time`,
  '',
  '| mode | TTFB median (ms) | TTFB min (ms) | 1 MiB median (ms) | 1 MiB min (ms) | time vs master |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.ttfbMedianMs} | ${r.ttfbMinMs} | ${r.totalMedianMs} | ${r.totalMinMs} | ${r.vsMaster} |`,
  ),
  '',
  `First stream request of the link (decrypt + decode the whole master): ${round(cold.ttfb)} ms to the first byte.`,
].join('\n');
console.log(table);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'recipient.md'), `${table}\n`);
writeFileSync(
  join(values.out, 'recipient.json'),
  JSON.stringify({ seconds, requests, rows, coldTtfbMs: cold.ttfb }, null, 2),
);
await vault.close(500);
await baseline.close(100);
rmSync(dir, { recursive: true, force: true });
