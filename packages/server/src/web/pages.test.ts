import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vaultDeps, withTenant } from '@vaultmark/vault-core/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInto } from '../../test/browser.js';
import { music } from '../../test/music.js';
import { canvasDrawn, checkPage, watchPage } from '../../test/page-check.js';
import {
  Browserless,
  eventually,
  startTestServer,
  type TestServer,
  uploadTrack,
} from '../../test/vault-server.js';

/** Polls allow for a loaded machine (the default gives up after one second). */
const slow = { timeout: 30_000 };

let browser: Browser;
let t: TestServer;
let owner: Browserless;
/** A browser signed in as the owner. */
let signedIn: BrowserContext;
const tracks: { id: string; title: string }[] = [];

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  owner = new Browserless(t.url);
  await owner.register('pages@studio.example', 'Studio Pages');
  const a = music(t.dataDir, 'Night Drive.wav', 6);
  const b = music(t.dataDir, 'Dawn.wav', 5);
  tracks.push(
    await uploadTrack(owner, a, 'Night Drive.wav'),
    await uploadTrack(owner, b, 'Dawn.wav'),
  );
  await eventually(async () => {
    const { body } = await owner.json<{ items: { analysisStatus: string }[] }>(
      'GET',
      '/api/tracks',
    );
    return body.items.every((x) => x.analysisStatus === 'done') ? true : undefined;
  });
  signedIn = await browser.newContext();
  await signInto(signedIn, owner.cookies, t.url);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Creates a share through the API and returns its id and the recipients' links. */
async function share(body: Record<string, unknown>) {
  const { status, body: created } = await owner.json<{ id: string; links: { url: string }[] }>(
    'POST',
    '/api/shares',
    { trackIds: tracks.map((x) => x.id), ...body },
  );
  expect(status).toBe(201);
  return { id: created.id, links: created.links.map((l) => l.url) };
}

/** Accessibility and a look at both widths; fails on any serious or critical violation. */
async function looked(page: Page, name: string, options: { dark?: boolean } = {}) {
  expect(await checkPage(page, name, options), name).toEqual([]);
}

describe('every page, in Chromium: accessible, and looked at on a laptop and a phone', () => {
  it('owner pages', async () => {
    for (const path of ['/signin', '/signup']) {
      const { page, problems, foreign } = await watchPage(browser, t.url, path);
      expect(await checkPage(page, path.slice(1))).toEqual([]);
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    }
    for (const path of ['/library', '/shares', '/investigations', '/account']) {
      const { page, problems, foreign } = await watchPage(signedIn, t.url, path);
      await page.waitForLoadState('networkidle');
      expect(await checkPage(page, path.slice(1))).toEqual([]);
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('sign-in shows the second-factor fields only when they apply', async () => {
    const { page, problems } = await watchPage(browser, t.url, '/signin');
    for (const id of ['#totp-field', '#code-field', '#code-totp-field']) {
      await expect(page.locator(id).isVisible(), id).resolves.toBe(false);
    }
    await page.fill('#email-code input[name=email]', 'pages@studio.example');
    await page.click('#email-code button[type=submit]');
    await page.locator('#code-field').waitFor();
    await expect(page.locator('#code-totp-field').isVisible()).resolves.toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('library search matches keys, Camelot codes and tags, and says when nothing matches', async () => {
    expect(
      (await owner.json('PATCH', `/api/tracks/${tracks[0]!.id}`, { tags: ['Synthwave', 'demo'] }))
        .status,
    ).toBe(200);
    const { page, problems } = await watchPage(signedIn, t.url, '/library');
    const rows = page.locator('#tracks tr[data-track]');
    await expect.poll(() => rows.count(), slow).toBe(2);
    const { body } = await owner.json<{ key: string; camelot: string }>(
      'GET',
      `/api/tracks/${tracks[1]!.id}`,
    );
    const search = async (q: string) => {
      await page.fill('#search', q);
      await expect.poll(() => page.locator('#status').textContent(), slow).toContain(`“${q}”`);
      return rows.locator('a.title').allTextContents();
    };
    expect(await search('synth')).toEqual(['Night Drive']);
    expect(await search(body.key)).toContain('Dawn');
    expect(await search(`${body.camelot} dawn`)).toEqual(['Dawn']);
    await page.fill('#search', 'no such thing');
    await expect
      .poll(() => page.locator('#tracks').textContent(), slow)
      .toContain('No tracks match “no such thing”');
    await looked(page, 'library-no-match');
    await page.fill('#search', '');
    await expect.poll(() => rows.count(), slow).toBe(2);
    // Filters and order: a tag, a tempo range, by title.
    const titles = () => rows.locator('a.title').allTextContents();
    await page.fill('#filters input[name=tag]', 'demo');
    await expect.poll(titles, slow).toEqual(['Night Drive']);
    await page.fill('#filters input[name=tag]', '');
    const listed = await owner.json<{ items: { title: string; bpm: number }[] }>(
      'GET',
      '/api/tracks?sort=bpm',
    );
    const from = Math.floor(listed.body.items.at(-1)!.bpm);
    await page.fill('#filters input[name=bpmMin]', String(from));
    await expect
      .poll(async () => (await titles()).sort(), slow)
      .toEqual(
        listed.body.items
          .filter((x) => x.bpm >= from)
          .map((x) => x.title)
          .sort(),
      );
    await page.fill('#filters input[name=bpmMin]', '999');
    await expect
      .poll(() => page.locator('#tracks').textContent(), slow)
      .toContain('No tracks match these filters.');
    await page.fill('#filters input[name=bpmMin]', '');
    await page.selectOption('#filters select[name=sort]', 'title');
    await expect.poll(titles, slow).toEqual(['Dawn', 'Night Drive']);
    await page.selectOption('#filters select[name=sort]', 'newest');
    await expect.poll(() => rows.count(), slow).toBe(2);
    await canvasDrawn(page, '#tracks canvas.waveform');
    await looked(page, 'library', { dark: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a track page plays the master, edits details, lists versions; unknown pages are pages', async () => {
    const { page, problems } = await watchPage(signedIn, t.url, '/library');
    await page.locator('#tracks a.title', { hasText: 'Dawn' }).click();
    await page.waitForURL(/\/tracks\/[0-9a-f-]+$/);
    await expect.poll(() => page.locator('h1').textContent(), slow).toBe('Dawn');
    await canvasDrawn(page, '#track-player canvas');
    await expect.poll(() => page.locator('#versions tr').count(), slow).toBe(1);
    await expect(page.locator('#analysis').textContent()).resolves.toContain('BPM');
    await page.locator('#track-player button.play').click();
    await page.waitForFunction(() => (document.querySelector('audio')?.currentTime ?? 0) > 0.2);
    await page.locator('#track-player button.play').click();
    await page.fill('#track-edit input[name=title]', 'Dawn (edit)');
    await page.fill('#track-edit input[name=artist]', 'Kai');
    await page.fill('#track-edit input[name=tags]', 'Vocal, demo');
    await page.click('#track-edit button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Saved.');
    await expect(page.locator('h1').textContent()).resolves.toBe('Dawn (edit)');
    const saved = await owner.json<{ artist: string; tags: string[] }>(
      'GET',
      `/api/tracks/${tracks[1]!.id}`,
    );
    expect(saved.body).toMatchObject({ artist: 'Kai', tags: ['vocal', 'demo'] });
    // Stems on request: separated by the worker, then offered for download.
    await page.click('#stems-start');
    await expect.poll(() => page.locator('#stems button').count(), { timeout: 60_000 }).toBe(3);
    await expect(page.locator('#stems-state').textContent()).resolves.toBe(
      'Separated from the current version.',
    );
    const stem = page.waitForEvent('download');
    await page.locator('#stems button', { hasText: 'vocals' }).click();
    expect((await stem).suggestedFilename()).toBe('Dawn (edit) - vocals.wav');
    await looked(page, 'track', { dark: true });
    expect(problems).toEqual([]);

    // Addresses nobody serves are pages for browsers, JSON for the API.
    const missing = await watchPage(signedIn, t.url, `/tracks/${crypto.randomUUID()}`, /404/);
    await expect.poll(() => missing.page.locator('h1').textContent(), slow).toBe('Track not found');
    for (const path of ['/tracks/nonsense', '/nowhere']) {
      const answer = await missing.page.goto(`${t.url}${path}`);
      expect(answer?.status()).toBe(404);
      expect(answer?.headers()['content-type']).toMatch(/^text\/html/);
      await expect(missing.page.locator('h1').textContent()).resolves.toBe('Page not found');
    }
    await looked(missing.page, 'not-found');
    expect((await owner.request('GET', '/api/nowhere')).headers.get('content-type')).toMatch(
      /json/,
    );
    expect(missing.problems).toEqual([]);
    await page.close();
    await missing.page.close();
  });

  it('a truncated WAV says why it failed, cannot be shared, and can be deleted', async () => {
    const whole = readFileSync(music(t.dataDir, 'whole.wav', 4));
    const cut = join(t.dataDir, 'Cut Off.wav');
    writeFileSync(cut, whole.subarray(0, 60));
    const broken = await uploadTrack(owner, cut, 'Cut Off.wav');
    await eventually(async () => {
      const { body } = await owner.json<{ analysisStatus: string }>(
        'GET',
        `/api/tracks/${broken.id}`,
      );
      return body.analysisStatus === 'failed' ? true : undefined;
    });
    const refused = await owner.json<{ error: { message: string } }>('POST', '/api/shares', {
      trackIds: [broken.id],
      recipients: [{ name: 'Ann', email: 'ann@example.com' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('“Cut Off” could not be read');
    const { page, problems } = await watchPage(signedIn, t.url, '/library');
    const row = page.locator('#tracks tr', { hasText: 'Cut Off' });
    await expect.poll(() => row.count(), slow).toBe(1);
    await expect(row.locator('input[type=checkbox]').isDisabled()).resolves.toBe(true);
    await row.locator('a.title').click();
    await expect.poll(() => page.locator('#analysis').textContent(), slow).toMatch(/failed: \S/);
    await looked(page, 'track-failed');
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#track-delete');
    await page.waitForURL(/\/library$/);
    expect((await owner.request('GET', `/api/tracks/${broken.id}`)).status).toBe(404);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates a share once, with its tracks and rules in view; recipients get a playlist', async () => {
    const { page, problems } = await watchPage(
      signedIn,
      t.url,
      `/shares/new?tracks=${tracks.map((x) => x.id).join(',')}`,
    );
    await expect.poll(() => page.locator('#chosen-tracks li').count(), slow).toBe(2);
    await expect.poll(() => page.locator('#expiry-help').textContent(), slow).toMatch(/days/);
    await page.fill('input[name=title]', 'Album previews');
    await page.fill('textarea[name=note]', 'Rough mixes, not for release.');
    await page.fill('.recipient >> nth=0 >> input[name=name]', 'Ann');
    await page.fill('.recipient >> nth=0 >> input[name=email]', 'ann@example.com');
    await page.check('input[name=allowDownload]');
    await page.fill('input[name=maxDownloads]', '1');
    await looked(page, 'share-new', { dark: true });
    await page.click('#share-form button[type=submit]');
    const link = page.locator('#share-result input.mono');
    await expect.poll(() => link.count(), slow).toBe(1);
    // Locked: the form is gone and its fields disabled, so no second share can be made.
    await expect(page.locator('#share-form').isVisible()).resolves.toBe(false);
    await expect(page.locator('#share-form button[type=submit]').isDisabled()).resolves.toBe(true);
    const listed = await owner.json<{ items: { title: string | null }[] }>('GET', '/api/shares');
    expect(listed.body.items.filter((x) => x.title === 'Album previews')).toHaveLength(1);
    await looked(page, 'share-created');
    const url = await link.inputValue();
    expect(problems).toEqual([]);

    // The recipient: a playlist where one track plays at a time and the next follows.
    const recipient = await watchPage(browser, t.url, url);
    const audio = (i: number) =>
      recipient.page.evaluate((n) => {
        const a = document.querySelectorAll('audio')[n]!;
        return { paused: a.paused, time: a.currentTime };
      }, i);
    // The sharing organization, then what and with whom.
    await expect(recipient.page.locator('h1').textContent()).resolves.toMatch(
      /^.+ shared 2 tracks with Ann$/,
    );
    await expect(recipient.page.locator('main').textContent()).resolves.toContain(
      '1 download left on this link',
    );
    await canvasDrawn(recipient.page, '.player canvas');
    await looked(recipient.page, 'recipient', { dark: true });
    const plays = recipient.page.locator('button.play');
    await plays.nth(0).click();
    await expect.poll(async () => (await audio(0)).paused, slow).toBe(false);
    await plays.nth(1).click();
    await expect.poll(async () => (await audio(1)).paused, slow).toBe(false);
    await expect.poll(async () => (await audio(0)).paused, slow).toBe(true);
    // The first track ends; the second starts from its beginning.
    await plays.nth(0).click();
    await expect.poll(async () => (await audio(1)).paused, slow).toBe(true);
    await recipient.page.evaluate(() => {
      const a = document.querySelectorAll('audio')[0]!;
      a.currentTime = a.duration - 0.3;
    });
    await expect.poll(async () => (await audio(1)).paused, slow).toBe(false);
    expect((await audio(1)).time).toBeLessThan(3);
    await plays.nth(1).click();

    // The download link is a link (no `download` attribute): used up, it opens a page.
    const download = recipient.page.locator('a[href$="/download"]').first();
    expect(await download.getAttribute('download')).toBeNull();
    const href = new URL((await download.getAttribute('href'))!, t.url).toString();
    const first = await recipient.page.context().request.get(href);
    expect(first.status()).toBe(200);
    expect(first.headers()['content-disposition']).toMatch(/^attachment/);
    const used = await recipient.page.goto(href);
    expect(used?.status()).toBe(429);
    await expect(recipient.page.locator('h1').textContent()).resolves.toBe(
      'No downloads left on this link',
    );
    await looked(recipient.page, 'recipient-no-downloads');
    expect(recipient.problems.filter((p) => !/status of 429/.test(p))).toEqual([]);
    expect(recipient.foreign).toEqual([]);
  });

  it('a recipient page works with the keyboard alone', async () => {
    const { links } = await share({
      recipients: [{ name: 'Kim', email: 'kim@example.com' }],
      allowDownload: true,
    });
    const { page, problems } = await watchPage(browser, t.url, links[0]!);
    await page.waitForFunction(
      () => Number(document.querySelector('canvas')?.getAttribute('aria-valuemax') ?? 0) > 1,
    );
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return e ? `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''}` : '';
      });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    // Skip link, then the first track's waveform, play button and download link.
    expect(order).toEqual([
      'a.skip',
      'canvas.waveform',
      'button.play',
      'a.button secondary',
      'canvas.waveform',
    ]);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !document.querySelectorAll('audio')[0]!.paused);
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelectorAll('audio')[0]!.paused);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('button.play');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelectorAll('audio')[0]!.paused);
    await page.keyboard.press('Enter');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a share is created with the keyboard alone', async () => {
    const { page, problems } = await watchPage(
      signedIn,
      t.url,
      `/shares/new?tracks=${tracks[0]!.id}`,
    );
    await expect.poll(() => page.locator('#chosen-tracks li').count(), slow).toBe(1);
    const focus = async (name: string) => {
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        const at = await page.evaluate(
          () => (document.activeElement as HTMLInputElement | null)?.name ?? '',
        );
        if (at === name) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };
    await focus('title');
    await page.keyboard.type('Keyboard share');
    await focus('name');
    await page.keyboard.type('Kai');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kai@example.com');
    await focus('allowDownload');
    await page.keyboard.press('Space');
    await focus('maxDownloads');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#share-result input.mono').count(), slow).toBe(1);
    // The focus moves to the links, where the keyboard can copy them.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('h-links');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Copy');
    const listed = await owner.json<{ items: { title: string; allowDownload: boolean }[] }>(
      'GET',
      '/api/shares',
    );
    expect(listed.body.items.find((x) => x.title === 'Keyboard share')?.allowDownload).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('an expired share says so and can be extended; a revoked one loses its revoke button', async () => {
    const expired = await share({ recipients: [{ name: 'Old', email: 'old@example.com' }] });
    await withTenant(vaultDeps(t.server.vault).db, owner.organizationId!, (tx) =>
      tx('shares')
        .where({ id: expired.id })
        .update({ expires_at: new Date(Date.now() - 86_400_000) }),
    );
    const { page, problems } = await watchPage(signedIn, t.url, `/shares/${expired.id}`);
    await expect.poll(() => page.locator('#share-state').textContent(), slow).toMatch(/^Expired /);
    await expect(page.locator('#revoke').isVisible()).resolves.toBe(false);
    await looked(page, 'share-expired');
    const gone = await watchPage(browser, t.url, expired.links[0]!, /status of 404/);
    await expect(gone.page.locator('h1').textContent()).resolves.toBe('This link is not available');
    await looked(gone.page, 'recipient-unavailable');
    // Extended from its page, the same link works again.
    const week = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('#share-change input[name=expiresAt]', week);
    await page.click('#share-change button[type=submit]');
    await expect
      .poll(() => page.locator('#share-state').textContent(), slow)
      .toMatch(/^Active until /);
    await expect(page.locator('#revoke').isVisible()).resolves.toBe(true);
    expect((await fetch(expired.links[0]!)).status).toBe(200);

    const live = await share({ recipients: [{ name: 'New', email: 'new@example.com' }] });
    await page.goto(`${t.url}/shares/${live.id}`);
    await expect.poll(() => page.locator('#revoke').isVisible(), slow).toBe(true);
    await looked(page, 'share');
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#revoke');
    await expect.poll(() => page.locator('#share-state').textContent(), slow).toMatch(/^Revoked /);
    await expect(page.locator('#revoke').isVisible()).resolves.toBe(false);
    expect(problems).toEqual([]);
    expect(gone.problems).toEqual([]);
    await page.close();
    await gone.page.close();
  });

  it('a wrong share password can be reloaded, and the page looks like the share', async () => {
    const locked = await share({
      recipients: [{ name: 'Lee', email: 'lee@example.com' }],
      password: 'open sesame please',
    });
    const { page, problems } = await watchPage(browser, t.url, locked.links[0]!, /status of 401/);
    await looked(page, 'recipient-password');
    await page.fill('input[type=password]', 'wrong');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe(
      'That password is not right.',
    );
    expect(page.url()).toBe(`${locked.links[0]}/unlock`);
    await looked(page, 'recipient-wrong-password');
    // Opening that address again (a reload without re-posting, a bookmark) shows the form.
    const again = await page.goto(page.url());
    expect(again?.status()).toBe(401);
    expect(page.url()).toBe(locked.links[0]);
    await expect(page.locator('input[type=password]').count()).resolves.toBe(1);
    await page.fill('input[type=password]', 'open sesame please');
    await page.click('button[type=submit]');
    await expect
      .poll(() => page.locator('h1').textContent(), slow)
      .toMatch(/^.+ shared 2 tracks with Lee$/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('uploads several files at once and by dropping them, each with its own progress', async () => {
    const { page, problems } = await watchPage(signedIn, t.url, '/library');
    const files = ['First.wav', 'Second.wav', 'Dropped.wav'].map((name) =>
      music(t.dataDir, name, 1),
    );
    await page.setInputFiles('#upload input[type=file]', files.slice(0, 2));
    await page.click('#upload button[type=submit]');
    const states = page.locator('#upload-list li span.ok');
    await expect.poll(() => states.count(), slow).toBe(2);
    await expect(page.locator('#status').textContent()).resolves.toBe(
      'Uploaded 2 files. Analysis is running.',
    );
    await looked(page, 'library-uploads');
    const bytes = [...readFileSync(files[2]!)];
    const dropped = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'Dropped.wav', { type: 'audio/wav' }));
      return transfer;
    }, bytes);
    await page.dispatchEvent('#upload', 'drop', { dataTransfer: dropped });
    await expect.poll(() => states.count(), slow).toBe(3);
    await expect
      .poll(() => page.locator('#tracks a.title').allTextContents(), slow)
      .toEqual(expect.arrayContaining(['First', 'Second', 'Dropped']));
    expect(problems).toEqual([]);
    await page.close();
    const { body } = await owner.json<{ items: { id: string; title: string }[] }>(
      'GET',
      '/api/tracks',
    );
    for (const track of body.items.filter((x) => ['First', 'Second', 'Dropped'].includes(x.title)))
      await owner.request('DELETE', `/api/tracks/${track.id}`);
  });
});
