import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInto } from '../../test/browser.js';
import { music } from '../../test/music.js';
import { canvasDrawn, checkPage, watchPage } from '../../test/page-check.js';
import {
  Browserless,
  eventually,
  mailedCode,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

/** Polls allow for a loaded machine (the default gives up after one second). */
const slow = { timeout: 30_000 };

let browser: Browser;
let t: TestServer;
let owner: Browserless;
let trackId: string;

async function ownerContext(): Promise<BrowserContext> {
  return signInto(await browser.newContext(), owner.cookies, t.url);
}

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  owner = new Browserless(t.url);
  await owner.register('review@studio.example', 'Olive Owner');
  const form = new FormData();
  form.set('file', new Blob([readFileSync(music(t.dataDir, 'Hook.wav', 12))]), 'Hook.wav');
  trackId = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body.id;
  await eventually(async () =>
    (await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${trackId}`)).body
      .analysisStatus === 'done'
      ? true
      : undefined,
  );
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('review in Chromium', () => {
  it('a recipient comments over a range and approves; the owner sees the marker, replies and is notified', async () => {
    // The owner shares with feedback on.
    const signedIn = await ownerContext();
    const share = await watchPage(signedIn, t.url, `/shares/new?tracks=${trackId}`);
    await share.page.fill('.recipient >> nth=0 >> input[name=name]', 'Rita Recipient');
    await share.page.fill('.recipient >> nth=0 >> input[name=email]', 'rita@example.com');
    await share.page.check('input[name=allowFeedback]');
    await share.page.click('#share-form button[type=submit]');
    const link = share.page.locator('#share-result input.mono');
    await expect.poll(() => link.count(), slow).toBe(1);
    const url = await link.nth(0).inputValue();

    // The recipient leaves a range comment and approves, on their own page.
    const recipient = await watchPage(browser, t.url, url);
    const r = recipient.page;
    await canvasDrawn(r, '.player canvas');
    const region = r.locator('.player + .review');
    await region.waitFor(slow);
    await region.locator('input[name=from]').fill('0:02');
    await region.locator('input[name=to]').fill('0:05');
    await region.locator('textarea[name=body]').fill('The chorus drags here');
    await region.locator('button[type=submit]').click();
    await expect
      .poll(() => region.locator('.comment-body').allTextContents(), slow)
      .toEqual(['The chorus drags here']);
    await region.locator('input[name=note]').fill('Lovely mix');
    await region.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => region.locator('.decision').textContent(), slow).toContain('Approved');
    const marker = r.locator('.review-markers .marker.range');
    await expect.poll(() => marker.count(), slow).toBe(1);
    expect(await checkPage(r, 'review-recipient')).toEqual([]);
    expect(recipient.problems).toEqual([]);
    expect(recipient.foreign).toEqual([]);

    // The owner sees the marker on the waveform and the thread, and replies.
    const track = await watchPage(signedIn, t.url, `/tracks/${trackId}`);
    const o = track.page;
    await canvasDrawn(o, '#track-player canvas');
    const ownerMarker = o.locator('#track-player .review-markers .marker.range');
    await expect.poll(() => ownerMarker.count(), slow).toBe(1);
    expect(await ownerMarker.getAttribute('aria-label')).toBe(
      'Comment by Rita Recipient at 0:02–0:05: The chorus drags here',
    );
    // The range marker starts a sixth of the way along (2 s of 12).
    const box = await ownerMarker.boundingBox();
    const lane = await o.locator('#track-player .review-markers').boundingBox();
    expect(Math.abs((box!.x - lane!.x) / lane!.width - 2 / 12)).toBeLessThan(0.02);
    await ownerMarker.click();
    await expect
      .poll(() => o.evaluate(() => document.activeElement?.id ?? ''), slow)
      .toMatch(/^c-/);
    const review = o.locator('section.review');
    await expect
      .poll(() => review.locator('.decision').textContent(), slow)
      .toContain('Rita Recipient: Approved');
    await review.locator('details.reply-box summary').click();
    await review.locator('details.reply-box textarea').fill('Trimmed in the next mix');
    await review.locator('details.reply-box button[type=submit]').click();
    await expect
      .poll(() => review.locator('.replies .comment-body').allTextContents(), slow)
      .toEqual(['Trimmed in the next mix']);
    expect(await checkPage(o, 'review-owner')).toEqual([]);
    expect(track.problems).toEqual([]);

    // The recipient sees the reply in their thread.
    await r.reload();
    await expect
      .poll(() => r.locator('.review .replies .comment-body').allTextContents(), slow)
      .toEqual(['Trimmed in the next mix']);

    // The owner was notified of the comment and the approval.
    const feed = await watchPage(signedIn, t.url, '/notifications');
    await expect
      .poll(() => feed.page.locator('#feed li').allTextContents(), slow)
      .toEqual([
        expect.stringContaining('Rita Recipient approved "Hook" (version 1): Lovely mix'),
        expect.stringContaining(
          'Rita Recipient commented on "Hook" at 0:02–0:05: The chorus drags here',
        ),
        expect.stringContaining('Rita Recipient opened'),
      ]);
  });

  it('an invited guest signs in by the emailed link and code, comments, and the owner sees the uses', async () => {
    const signedIn = await ownerContext();
    const track = await watchPage(signedIn, t.url, `/tracks/${trackId}`);
    const o = track.page;
    await o.locator('#guest-invite').waitFor(slow);
    await o.fill('#guest-name', 'Mo Mixer');
    await o.fill('#guest-email', 'mo@example.com');
    await o.click('#guest-invite button[type=submit]');
    await expect.poll(() => o.locator('#guest-list li.guest').count(), slow).toBe(1);
    const mail = await eventually(async () => {
      const dir = join(t.dataDir, 'outbox');
      const found = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .find((m) => m.includes('To: mo@example.com') && m.includes('/guest#'));
      return found;
    });
    const url = /(http:\/\/\S+\/guest#\S+)/.exec(mail)?.[1] as string;

    const guest = await watchPage(browser, t.url, url);
    const g = guest.page;
    // The token leaves the address bar at once.
    await expect.poll(() => g.url(), slow).toBe(`${t.url}/guest`);
    await g.click('#send-code');
    await g.locator('#guest-code').waitFor({ state: 'visible', ...slow });
    await g.fill(
      '#guest-code input[name=code]',
      await mailedCode(join(t.dataDir, 'outbox'), 'mo@example.com'),
    );
    await g.click('#guest-code button[type=submit]');
    await expect
      .poll(() => g.locator('#guest-name').textContent(), slow)
      .toBe('Signed in as Mo Mixer.');
    await canvasDrawn(g, '.track canvas.waveform');
    const region = g.locator('.track .review');
    await region.waitFor(slow);
    await region.locator('input[name=from]').fill('0:08');
    await region.locator('textarea[name=body]').fill('Snare is dull');
    await region.locator('button[type=submit]').click();
    await expect
      .poll(() => region.locator('.comment-body').allTextContents(), slow)
      .toEqual(['Snare is dull']);
    await g.locator('.track button.play').click();
    await expect
      .poll(() => g.evaluate(() => !document.querySelector('audio')?.paused), slow)
      .toBe(true);
    expect(await checkPage(g, 'review-guest')).toEqual([]);
    expect(guest.problems).toEqual([]);

    await o.reload();
    const uses = o.locator('#guest-list details');
    await uses.locator('summary').click();
    await expect
      .poll(() => uses.locator('li').allTextContents(), slow)
      .toEqual(expect.arrayContaining([expect.stringContaining('guest.sign_in')]));
    expect(
      await o
        .locator('#track-player .review-markers .marker:not(.range)')
        .getAttribute('aria-label'),
    ).toBe('Comment by Mo Mixer at 0:08: Snare is dull');
  });

  it('shows the comments of an older version greyed with their version once a new mix is up', async () => {
    const form = new FormData();
    form.set('file', new Blob([readFileSync(music(t.dataDir, 'Hook v2.wav', 12))]), 'Hook v2.wav');
    expect((await owner.json('POST', `/api/tracks/${trackId}/versions`, form)).status).toBe(201);
    const signedIn = await ownerContext();
    const track = await watchPage(signedIn, t.url, `/tracks/${trackId}`);
    const o = track.page;
    const older = o.locator('#track-player .review-markers .marker.older');
    await expect.poll(() => older.count(), slow).toBe(2);
    expect(await older.first().getAttribute('aria-label')).toMatch(/\(version 1\)/);
    const review = o.locator('section.review');
    await expect
      .poll(() => review.locator('h3').first().textContent(), slow)
      .toBe('Decisions on version 2');
    expect(await review.locator('.decisions .muted').first().textContent()).toBe(
      'No decisions on version 2 yet.',
    );
    expect(await review.locator('.comment.older .tag').first().textContent()).toBe('version 1');
    expect(await checkPage(o, 'review-older-version')).toEqual([]);
    expect(track.problems).toEqual([]);
  });
});
