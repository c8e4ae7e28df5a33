import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../test/browser.js';
import { music } from '../../../test/music.js';
import { checkPage, watchPage } from '../../../test/page-check.js';
import { Browserless, startTestServer, type TestServer } from '../../../test/vault-server.js';

/** Polls allow for a loaded machine. */
const slow = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;
let owner: Browserless;

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  owner = new Browserless(t.url);
  await owner.register('host@mill.example', 'Mill Studio');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('a participant without an account in Chromium', () => {
  it('opens the emailed link and uploads their track through a damaged chunk', async () => {
    const session = await owner.json<{ id: string }>('POST', '/api/recording-sessions', {
      title: 'Night at the mill',
    });
    const sessionId = session.body.id;
    const participant = await owner.json<{ id: string }>(
      'POST',
      `/api/recording-sessions/${sessionId}/participants`,
      { name: 'Ines', email: 'ines@example.net', role: 'guest' },
    );
    const outbox = join(t.dataDir, 'outbox');
    const mail = readdirSync(outbox)
      .map((f) => readFileSync(join(outbox, f), 'utf8'))
      .find((m) => m.includes('To: ines@example.net'));
    const link = /(https?:\/\/\S+\/participate#\S+)/.exec(mail ?? '')?.[1];
    expect(link).toBeDefined();
    const path = new URL(link as string).pathname + new URL(link as string).hash;

    // A fresh browser: no account, no cookie; only the link.
    const context = await browser.newContext();
    const watch = await watchPage(context, t.url, path);
    const page = watch.page;
    await page.locator('#participant-title', { hasText: 'Night at the mill' }).waitFor(slow);
    // The token left the address bar.
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('#participant-who', { hasText: 'Ines' }).waitFor(slow);

    // Its second chunk is damaged in transit once: refused (460) and sent again.
    let patches = 0;
    const flaky = async (route: Route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      patches += 1;
      if (patches === 2) {
        const body = Buffer.from(route.request().postDataBuffer()!);
        body[1000]! ^= 0xff;
        return route.continue({ postData: body });
      }
      return route.continue();
    };
    await page.route('**/api/participant-uploads/**', flaky);
    await page.fill('#track-upload input[name=startedAt]', '2026-03-02T18:00:00.250');
    await page.setInputFiles(
      '#track-upload input[name=file]',
      music(t.dataDir, 'ines-take.wav', 3),
    );
    await page.click('#track-upload button[type=submit]');
    await expect.poll(() => page.getAttribute('#track-upload', 'data-state'), slow).toBe('done');
    await page.locator('#tracks li', { hasText: 'ines-take.wav' }).waitFor(slow);

    const got = await owner.json<{
      tracks: { participantId: string }[];
      events: { kind: string; participantId: string | null }[];
    }>('GET', `/api/recording-sessions/${sessionId}`);
    expect(got.body.tracks.map((x) => x.participantId)).toEqual([participant.body.id]);
    expect(got.body.events.map((e) => e.kind)).toEqual([
      'invited',
      'joined',
      'upload_started',
      'failed',
      'completed',
    ]);

    expect(await checkPage(page, 'participate', { dark: true })).toEqual([]);
    expect(watch.problems.filter((p) => !/460|Failed to load resource/.test(p))).toEqual([]);
    expect(watch.foreign).toEqual([]);

    // Removed from the session, the same link opens nothing.
    await owner.request(
      'DELETE',
      `/api/recording-sessions/${sessionId}/participants/${participant.body.id}`,
    );
    const again = await watchPage(context, t.url, path, /401|Failed to load resource/);
    await again.page.locator('#status', { hasText: /expired or was revoked/ }).waitFor(slow);
    expect(await again.page.isHidden('#participant-upload')).toBe(true);
    expect(await checkPage(again.page, 'participate-revoked')).toEqual([]);
    await context.close();
  }, 300_000);
});
