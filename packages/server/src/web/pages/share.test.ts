import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodyParser } from '@koa/bodyparser';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../test/browser.js';
import { tone } from '../../../test/tone.js';
import { createApp } from '../../app.js';
import { listen, type RunningServer } from '../../listen.js';
import { sendMedia } from '../../media/send-media.js';
import { sharePage, sharePasswordPage, shareUnavailablePage } from './share.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-share-page-'));
const wavPath = tone(dir, 'tone.wav', { seconds: 20, hz: 220, args: ['-ac', '1'] });

/** Peaks of a 16-bit mono WAV computed directly (256 samples per point). */
function peaksOf(path: string) {
  const bytes = readFileSync(path);
  const samples = new Int16Array(bytes.buffer, bytes.byteOffset + 44, (bytes.length - 44) >> 1);
  const data: number[] = [];
  for (let i = 0; i < samples.length; i += 256) {
    let min = 0;
    let max = 0;
    for (let j = i; j < Math.min(i + 256, samples.length); j++) {
      min = Math.min(min, samples[j]!);
      max = Math.max(max, samples[j]!);
    }
    data.push(min, max);
  }
  return {
    version: 2,
    channels: 1,
    sample_rate: 44100,
    samples_per_pixel: 256,
    bits: 16,
    length: data.length / 2,
    data,
  };
}

let browser: Browser;
let server: RunningServer;
const ranges: string[] = [];
const events: { type: string; trackId: string; position?: number }[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  const { app } = createApp({ logger: pino({ level: 'silent' }) });
  app.use(bodyParser({ enableTypes: ['json', 'text'] }));
  app.use(async (ctx) => {
    const base = '/s/tok';
    if (ctx.path === base) {
      ctx.type = 'html';
      ctx.body = sharePage({
        recipientName: 'Bea <script>alert(1)</script>',
        ownerName: 'Studio A',
        note: 'Rough mix, please do not forward.',
        expiresAt: new Date('2030-01-01T00:00:00Z'),
        eventsUrl: `${base}/events`,
        tracks: [
          {
            id: 't1',
            title: 'Demo',
            artist: 'Someone',
            durationSeconds: 20,
            streamUrl: `${base}/tracks/t1/stream`,
            peaksUrl: `${base}/tracks/t1/peaks`,
            downloadUrl: `${base}/tracks/t1/download`,
          },
        ],
      });
    } else if (ctx.path === `${base}/tracks/t1/stream`) {
      ranges.push(ctx.get('Range'));
      await sendMedia(ctx, {
        size: statSync(wavPath).size,
        contentType: 'audio/wav',
        open: (start, end) => createReadStream(wavPath, { start, end }),
      });
    } else if (ctx.path === `${base}/tracks/t1/peaks`) {
      ctx.body = peaksOf(wavPath);
    } else if (ctx.path === `${base}/events` && ctx.method === 'POST') {
      const body = (ctx.request as { body?: unknown }).body;
      events.push(typeof body === 'string' ? JSON.parse(body) : (body as never));
      ctx.status = 204;
    } else if (ctx.path === '/gone') {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = shareUnavailablePage();
    } else if (ctx.path === '/locked') {
      ctx.type = 'html';
      ctx.body = sharePasswordPage({ action: '/locked', error: 'Wrong password.' });
    }
  });
  server = await listen(app, 0);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close(100);
  rmSync(dir, { recursive: true, force: true });
});

describe('recipient share page in Chromium', () => {
  it('draws the waveform, seeks by keyboard over Range requests, and reports plays', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${server.url}/s/tok`);

    await expect(page.locator('h1').textContent()).resolves.toBe(
      'Studio A shared a track with Bea <script>alert(1)</script>',
    );
    await page.waitForFunction(() => {
      const canvas = document.querySelector('canvas');
      if (!canvas || canvas.width === 0) return false;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) return true;
      return false;
    });
    await page.waitForFunction(
      () => Number(document.querySelector('canvas')?.getAttribute('aria-valuemax') ?? 0) > 19,
    );
    // A page view is not a play: nothing of the audio is asked for before play.
    expect(ranges).toEqual([]);

    await page.locator('canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForFunction(
      () => Math.round(document.querySelector('audio')!.currentTime) === 35 - 15,
    );
    await expect(page.locator('canvas').getAttribute('aria-valuenow')).resolves.toBe('20');

    await page.locator('button.play').click();
    await page.locator('canvas').focus();
    await page.keyboard.press('Home');
    await page.locator('button.play').click();
    await expect.poll(() => events.some((e) => e.type === 'play' && e.trackId === 't1')).toBe(true);
    expect(ranges.some((range) => /^bytes=\d+-/.test(range))).toBe(true);
    await expect(page.locator('a[href$="/download"]').getAttribute('href')).resolves.toBe(
      '/s/tok/tracks/t1/download',
    );
    expect(problems).toEqual([]);
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'share.png') });
    await page.close();
  }, 60_000);

  it('reports what was heard: skipping to the end reports nothing, one play once', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/s/tok`);
    await page.waitForFunction(
      () => Number(document.querySelector('canvas')?.getAttribute('aria-valuemax') ?? 0) > 19,
    );
    events.length = 0;
    const ended = () => page.waitForFunction(() => document.querySelector('audio')!.ended);
    // Play, then press End: the track ends having been heard for a moment only.
    await page.locator('button.play').click();
    await page.waitForFunction(() => !document.querySelector('audio')!.paused);
    await page.locator('canvas').focus();
    await page.keyboard.press('End');
    await ended();
    // Play again near the end, and let it end: about two seconds were heard.
    await page.evaluate(() => {
      const audio = document.querySelector('audio')!;
      audio.currentTime = audio.duration - 2;
    });
    await page.locator('button.play').click();
    await page.waitForFunction(() => !document.querySelector('audio')!.paused);
    await ended();
    await expect.poll(() => events.filter((e) => e.type === 'stop').length).toBe(1);
    const [stop] = events.filter((e) => e.type === 'stop') as { position?: number }[];
    expect(stop!.position).toBeGreaterThan(1);
    expect(stop!.position).toBeLessThan(3);
    await page.close();
  }, 60_000);

  it('shows the same neutral page for unavailable links, and a password prompt', async () => {
    const page = await browser.newPage();
    const gone = await page.goto(`${server.url}/gone`);
    expect(gone?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link is not available');
    await page.goto(`${server.url}/locked`);
    await expect(
      page.locator('input[type=password]').evaluate((el) => el === document.activeElement),
    ).resolves.toBe(true);
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('Wrong password.');
    await page.close();
  }, 30_000);
});
