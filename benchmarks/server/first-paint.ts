/**
 * First paint of a recipient's share page with 20 tracks, in headless Chromium over loopback,
 * against a baseline page measured in the same run.
 *
 * - recipient: `/s/<link>` of a share of 20 tracks (each with artwork), served by the composed
 *   vault server: the link checked, the open logged and audited, the page rendered.
 * - baseline: the same page's HTML, captured once, served as a static file from memory by a bare
 *   app with the same stylesheet and scripts (what the browser costs without the vault's work).
 *
 * Each round opens each page once in a fresh browser context (no cache), the two interleaved,
 * after the share's previews are rendered and stored (so no background job competes). Reported:
 * first contentful paint (`performance` paint timing, from navigation start: it includes the
 * request, the server's answer, parsing, the stylesheet and the first render) and the HTML's
 * response time (navigation start to the last byte of the document), median and min, and the
 * ratio of the medians. The target is a recipient first paint under 1 s.
 *
 *   pnpm --filter @vaultmark/benchmarks run bench:first-paint [--rounds 15] [--tracks 20]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp, listen } from '@vaultmark/server';
import { vaultDeps, withSystem } from '@vaultmark/vault-core/testing';
import pino from 'pino';
import { startSignedInVault } from './signed-in-vault.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    tracks: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '8' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const rounds = Number(values.rounds);
const trackCount = Number(values.tracks);
const seconds = Number(values.seconds);
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-bench-first-paint-'));

// The browser: the system Chromium through the server package's playwright-core (tests and
// benchmarks never download one).
const { chromium } = createRequire(new URL('../../packages/server/package.json', import.meta.url))(
  'playwright-core',
) as typeof import('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
  ],
});

// The composed server on its embedded defaults, worker included, with one owner signed in.
const { vault, running, owner } = await startSignedInVault(dir, 'paint@example.com', 'Label');

// Twenty short tracks (tones a fifth apart, made by ffmpeg), each with artwork.
const art = join(dir, 'art.png');
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'color=c=0x4338ca:s=300x300',
  '-frames:v',
  '1',
  art,
]);
const ids: string[] = [];
for (let i = 0; i < trackCount; i++) {
  const path = join(dir, `t${i}.wav`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=f=${110 * 1.5 ** (i % 7)}:d=${seconds}`,
    '-ac',
    '2',
    '-c:a',
    'pcm_s16le',
    path,
  ]);
  const form = new FormData();
  form.set('file', new Blob([readFileSync(path)]), `Track ${String(i + 1).padStart(2, '0')}.wav`);
  const track = (await (
    await fetch(`${running.url}/api/tracks`, { method: 'POST', headers: owner, body: form })
  ).json()) as { id: string };
  await fetch(`${running.url}/api/tracks/${track.id}/artwork`, {
    method: 'PUT',
    headers: { ...owner, 'Content-Type': 'image/png' },
    body: readFileSync(art),
  });
  ids.push(track.id);
}

const db = vaultDeps(vault.vault).db;
/** Waits until no job of `queue` is queued or running. */
async function settled(queue: string): Promise<void> {
  for (;;) {
    const open = await withSystem(db, (tx) =>
      tx('jobs').where({ queue }).whereIn('state', ['queued', 'running']).count({ n: '*' }),
    );
    if (Number(open[0]!.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
await settled('analysis');
const created = (await (
  await fetch(`${running.url}/api/shares`, {
    method: 'POST',
    headers: { ...owner, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title: 'Album preview',
      note: 'Twenty tracks for the first listen.',
      trackIds: ids,
      recipients: [{ name: 'Rita', email: 'rita@example.com' }],
      allowDownload: true,
    }),
  })
).json()) as { links: { url: string }[] };
const link = created.links[0]!.url;
await settled('previews');

// The baseline: the recipient page's HTML, captured once, with the same assets, from memory.
const html = await (await fetch(link)).text();
const assetsDir = new URL('../../packages/server/web/', import.meta.url);
const bare = createApp({ logger: pino({ level: 'silent' }) });
bare.app.use(async (ctx) => {
  if (ctx.path.startsWith('/assets/')) {
    const name = ctx.path.slice('/assets/'.length);
    if (!/^[a-z0-9-]+\.(js|css|svg)$/.test(name)) return;
    ctx.type = name.split('.').pop()!;
    ctx.body = readFileSync(new URL(name, assetsDir));
    return;
  }
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
});
const baseline = await listen(bare.app, 0);

interface Sample {
  fcp: number;
  html: number;
}
async function measure(url: string): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const sample = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { fcp, html: nav.responseEnd };
  });
  await context.close();
  return sample;
}

// Equal pages before timing: the baseline shows what the recipient page shows.
const check = await browser.newPage();
await check.goto(`${baseline.url}/s/x`);
const baselineHeadline = await check.locator('h1').textContent();
await check.goto(link);
if ((await check.locator('h1').textContent()) !== baselineHeadline) throw new Error('pages differ');
if ((await check.locator('.player').count()) !== trackCount) throw new Error('tracks missing');
await check.close();

const samples: Record<'recipient' | 'baseline', Sample[]> = { recipient: [], baseline: [] };
await measure(link); // warm-up of both servers and the browser
await measure(`${baseline.url}/s/x`);
for (let r = 0; r < rounds; r++) {
  const order =
    r % 2 === 0 ? (['recipient', 'baseline'] as const) : (['baseline', 'recipient'] as const);
  for (const which of order) {
    samples[which].push(await measure(which === 'recipient' ? link : `${baseline.url}/s/x`));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const row = (which: 'recipient' | 'baseline') => {
  const fcp = samples[which].map((s) => s.fcp);
  const doc = samples[which].map((s) => s.html);
  return {
    page: which,
    rounds: fcp.length,
    fcpMedianMs: Number(median(fcp).toFixed(1)),
    fcpMinMs: Number(Math.min(...fcp).toFixed(1)),
    htmlMedianMs: Number(median(doc).toFixed(1)),
    htmlMinMs: Number(Math.min(...doc).toFixed(1)),
  };
};
const rows = [row('baseline'), row('recipient')];
const ratio = rows[1]!.fcpMedianMs / rows[0]!.fcpMedianMs;
const report = {
  measuredAt: new Date().toISOString(),
  tracks: trackCount,
  htmlBytes: Buffer.byteLength(html),
  rows,
  fcpRatioVsBaseline: Number(ratio.toFixed(2)),
  targetMs: 1000,
  withinTarget: rows[1]!.fcpMedianMs < 1000,
};
const table = [
  '| page | rounds | first contentful paint, median (ms) | min (ms) | HTML received, median (ms) | min (ms) |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.page} | ${r.rounds} | ${r.fcpMedianMs} | ${r.fcpMinMs} | ${r.htmlMedianMs} | ${r.htmlMinMs} |`,
  ),
  '',
  `Recipient first paint / baseline: ${report.fcpRatioVsBaseline}× (target: recipient under 1,000 ms: ${report.withinTarget ? 'met' : 'missed'}); ${trackCount} tracks, ${report.htmlBytes} bytes of HTML.`,
].join('\n');
console.log(table);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'first-paint.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(values.out, 'first-paint.md'), `${table}\n`);

await browser.close();
await baseline.close();
await vault.close(500);
rmSync(dir, { recursive: true, force: true });
