import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInto } from '../../test/browser.js';
import { music } from '../../test/music.js';
import { createResponseValidator } from '../../test/openapi-validator.js';
import { checkPage, watchPage } from '../../test/page-check.js';
import { totpNow } from '../../test/totp.js';
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
let signedIn: BrowserContext;
let validate: ReturnType<typeof createResponseValidator>;
const tracks: { id: string; title: string }[] = [];

/** Calls the API and checks the answer against the published OpenAPI document. */
async function call<T = Record<string, unknown>>(
  client: Browserless,
  method: string,
  path: string,
  template: string,
  body?: unknown,
) {
  const answer = await client.json<T>(method, path, body);
  expect(validate(method, template, answer.status, answer.body)).toEqual([]);
  return answer;
}

/** The mails in the server's outbox addressed to `email`. */
async function mailsTo(email: string): Promise<string[]> {
  const dir = `${t.dataDir}/outbox`;
  return readdirSync(dir)
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
    .filter((m) => m.includes(`To: ${email}`));
}

/** A browser context signed in with the owner's cookies as they are now. */
async function ownerContext(): Promise<BrowserContext> {
  return signInto(await browser.newContext(), owner.cookies, t.url);
}

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  validate = createResponseValidator(t.server.openapi);
  owner = new Browserless(t.url);
  await owner.register('insights@studio.example', 'Studio Insights');
  const a = music(t.dataDir, 'Night Drive.wav', 6);
  tracks.push(await uploadTrack(owner, a, 'Night Drive.wav'));
  await eventually(async () => {
    const { body } = await owner.json<{ items: { analysisStatus: string }[] }>(
      'GET',
      '/api/tracks',
    );
    return body.items.every((x) => x.analysisStatus === 'done') ? true : undefined;
  });
  signedIn = await ownerContext();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function share(body: Record<string, unknown>) {
  const { status, body: created } = await owner.json<{
    id: string;
    links: { url: string; recipientId: string }[];
  }>('POST', '/api/shares', { trackIds: tracks.map((x) => x.id), ...body });
  expect(status).toBe(201);
  return created;
}

/** A one-colour PNG of `size` (`WxH`) at `path`, made by ffmpeg. */
function solidImage(path: string, color: string, size: string) {
  execFileSync(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=${size}`].concat([
      '-frames:v',
      '1',
      path,
    ]),
  );
}

async function looked(page: Page, name: string, options: { dark?: boolean } = {}) {
  expect(await checkPage(page, name, options), name).toEqual([]);
}

describe('notifications, in Chromium', () => {
  it('a recipient’s first open reaches the owner’s bell and feed; read marks and settings stick', async () => {
    const created = await share({
      title: 'Mix notes',
      recipients: [{ name: 'Rita', email: 'rita@label.example' }],
    });
    // The recipient opens the link twice: the owner hears of it once.
    for (let i = 0; i < 2; i++) {
      const visit = await watchPage(browser, t.url, created.links[0]!.url);
      await visit.page.locator('h1').waitFor();
      await visit.page.close();
    }
    const { page, problems, foreign } = await watchPage(signedIn, t.url, '/library');
    const badge = page.locator('#unread');
    await expect.poll(() => badge.textContent(), slow).toBe('1 unread');
    await page.click('#bell');
    await page.waitForURL(/\/notifications$/);
    const entries = page.locator('#feed li');
    await expect.poll(() => entries.count(), slow).toBe(1);
    await expect(entries.first().locator('a').textContent()).resolves.toBe(
      'Rita opened “Mix notes”',
    );
    await expect(entries.first().getAttribute('class')).resolves.toBe('unread');
    await looked(page, 'notifications', { dark: true });
    // Keyboard: the entry is a link to the share.
    await entries.first().locator('a').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/shares/${created.id}$`));
    await expect.poll(() => badge.isVisible(), slow).toBe(false);
    await page.goto(`${t.url}/notifications`);
    await expect.poll(() => entries.first().getAttribute('class'), slow).toBe('read');
    await page.check('#unread-only');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Nothing unread.');
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();

    const api = await call<{ items: { summary: string; subject: Record<string, string> }[] }>(
      owner,
      'GET',
      '/api/notifications',
      '/api/notifications',
    );
    expect(api.body.items[0]).toMatchObject({
      summary: 'Rita opened “Mix notes”',
      subject: { shareId: created.id, recipientId: created.links[0]!.recipientId },
    });
    await call(owner, 'GET', '/api/notifications/unread-count', '/api/notifications/unread-count');
    await call(owner, 'POST', '/api/notifications/read', '/api/notifications/read', { all: true });
  }, 120_000);

  it('the account page shows and saves the mute settings and says whether two-factor sign-in is on', async () => {
    const { page, problems } = await watchPage(signedIn, t.url, '/account');
    const opened = page.locator('tr[data-kind="share.opened"]');
    await expect.poll(() => opened.count(), slow).toBe(1);
    await expect(opened.locator('input[name=email]').isChecked()).resolves.toBe(true);
    await expect
      .poll(() => page.locator('#totp-state').textContent(), slow)
      .toBe('Two-factor sign-in is off.');
    await expect(page.locator('#totp-start').isVisible()).resolves.toBe(true);
    await expect(page.locator('#totp-disable').isVisible()).resolves.toBe(false);
    await opened.locator('input[name=email]').uncheck();
    await page.locator('#notify-settings button[type=submit]').click();
    await expect
      .poll(() => page.locator('#status').textContent(), slow)
      .toBe('Notification settings saved.');
    await page.reload();
    await expect.poll(() => opened.count(), slow).toBe(1);
    await expect(opened.locator('input[name=email]').isChecked()).resolves.toBe(false);
    await looked(page, 'account-notifications');
    expect(problems).toEqual([]);
    await page.close();
    const settings = await call<{ items: { kind: string; email: boolean }[] }>(
      owner,
      'GET',
      '/api/notifications/settings',
      '/api/notifications/settings',
    );
    expect(settings.body.items.find((s) => s.kind === 'share.opened')?.email).toBe(false);
    expect(
      (
        await owner.json('PUT', '/api/notifications/settings', {
          items: [{ kind: 'nope', email: true, inApp: true }],
        })
      ).status,
    ).toBe(400);

    // Two-factor sign-in turned on (through the API): the page says so and offers to turn it off.
    const { body: enrolled } = await owner.json<{ secret: string }>(
      'POST',
      '/api/auth/totp/enroll',
    );
    const confirmed = await owner.json<{ csrfToken: string }>('POST', '/api/auth/totp/confirm', {
      code: totpNow(enrolled.secret),
    });
    expect(confirmed.status).toBe(200);
    owner.csrf = confirmed.body.csrfToken;
    const me = await call<{ twoFactorEnabled: boolean; recoveryCodesLeft: number }>(
      owner,
      'GET',
      '/api/auth/me',
      '/api/auth/me',
    );
    expect(me.body).toMatchObject({ twoFactorEnabled: true });
    expect(me.body.recoveryCodesLeft).toBeGreaterThan(0);
    await signedIn.close();
    signedIn = await ownerContext();
    const after = await watchPage(signedIn, t.url, '/account');
    await expect
      .poll(() => after.page.locator('#totp-state').textContent(), slow)
      .toMatch(/^Two-factor sign-in is on\. \d+ unused recovery codes left\.$/);
    await expect(after.page.locator('#totp-start').isVisible()).resolves.toBe(false);
    await expect(after.page.locator('#totp-disable').isVisible()).resolves.toBe(true);
    await looked(after.page, 'account-two-factor-on');
    expect(after.problems).toEqual([]);
    await after.page.close();
  }, 120_000);
});

describe('share activity, in Chromium', () => {
  it('the share page says when each recipient opened it and how much of each track they heard, in the viewer’s time zone', async () => {
    const created = await share({
      title: 'Listening check',
      recipients: [
        { name: 'Lena', email: 'lena@label.example' },
        { name: 'Omar', email: 'omar@label.example' },
      ],
    });
    // Lena plays the whole track in her browser (the player reports the stretches it played).
    const visit = await watchPage(browser, t.url, created.links[0]!.url);
    await visit.page.locator('.player button.play').first().click();
    await visit.page.waitForFunction(() => document.querySelector('audio')?.ended === true, null, {
      timeout: 30_000,
    });
    expect(visit.problems).toEqual([]);
    await visit.page.close();

    // The owner reads it in Berlin time.
    const berlin = await browser.newContext({ timezoneId: 'Europe/Berlin' });
    await signInto(berlin, owner.cookies, t.url);
    const { page, problems, foreign } = await watchPage(berlin, t.url, `/shares/${created.id}`);
    const lena = page.locator(
      `section.activity[data-recipient="${created.links[0]!.recipientId}"]`,
    );
    await expect.poll(() => lena.locator('td.heard').textContent(), slow).toMatch(/\(100 %\)$/);
    await expect(lena.locator('p.opened').textContent()).resolves.toMatch(/^First opened /);
    await expect(page.locator('#listening-zone').textContent()).resolves.toContain('Europe/Berlin');
    const omar = page.locator(
      `section.activity[data-recipient="${created.links[1]!.recipientId}"]`,
    );
    await expect(omar.locator('p.opened').textContent()).resolves.toBe('Not opened yet.');
    await expect(omar.locator('td.heard').textContent()).resolves.toBe('not played');
    await looked(page, 'share-listening', { dark: true });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await berlin.close();

    const stats = await call<{ recipients: { tracks: { listenedFraction: number }[] }[] }>(
      owner,
      'GET',
      `/api/shares/${created.id}/analytics`,
      '/api/shares/{id}/analytics',
    );
    expect(stats.body.recipients[0]!.tracks[0]!.listenedFraction).toBeGreaterThan(0.95);
    // Another organization's member gets a 404 for this share's activity.
    const stranger = new Browserless(t.url);
    await stranger.register('stranger@elsewhere.example', 'Stranger');
    expect((await stranger.json('GET', `/api/shares/${created.id}/analytics`)).status).toBe(404);
  }, 120_000);
});

describe('share editing, in Chromium', () => {
  it('adds a recipient (link emailed), adds and takes out a track, re-sends the same link and replaces it after confirming', async () => {
    const second = await uploadTrack(
      owner,
      music(t.dataDir, 'Second Wind.wav', 4),
      'Second Wind.wav',
    );
    await eventually(async () => {
      const { body } = await owner.json<{ analysisStatus: string }>(
        'GET',
        `/api/tracks/${second.id}`,
      );
      return body.analysisStatus === 'done' ? true : undefined;
    });
    const created = await share({
      title: 'Growing',
      recipients: [{ name: 'Kim', email: 'kim@label.example' }],
    });
    const { page, problems, foreign } = await watchPage(signedIn, t.url, `/shares/${created.id}`);
    const recipients = page.locator('#recipients tr');
    await expect.poll(() => recipients.count(), slow).toBe(1);
    // Keyboard only: fill the form and submit with Enter.
    await page.locator('#recipient-add input[name=name]').focus();
    await page.keyboard.type('Nia');
    await page.keyboard.press('Tab');
    await page.keyboard.type('nia@label.example');
    await page.keyboard.press('Enter');
    await expect.poll(() => recipients.count(), slow).toBe(2);
    await expect(page.locator('#status').textContent()).resolves.toBe(
      'Recipient added; their link was emailed.',
    );
    const niaUrl = await page.locator('#added-links input').inputValue();
    expect(niaUrl).toMatch(/\/s\/vml_/);
    const mails = await eventually(async () => {
      const found = await mailsTo('nia@label.example');
      return found.length ? found : undefined;
    });
    expect(mails[0]).toContain(niaUrl);

    const trackItems = page.locator('#share-tracks li');
    await expect.poll(() => trackItems.count(), slow).toBe(1);
    await expect.poll(() => page.locator('#track-add option').count(), slow).toBe(1);
    await page.locator('#track-add button[type=submit]').click();
    await expect.poll(() => trackItems.count(), slow).toBe(2);
    const niaPage = await watchPage(browser, t.url, niaUrl);
    await expect.poll(() => niaPage.page.locator('.player').count(), slow).toBe(2);
    await niaPage.page.close();
    await looked(page, 'share-editing', { dark: true });

    page.once('dialog', (dialog) => dialog.accept());
    await trackItems.filter({ hasText: 'Second Wind' }).locator('button.remove-track').click();
    await expect.poll(() => trackItems.count(), slow).toBe(1);

    // Resending mails Nia the very link she has, which keeps working.
    const nia = page.locator('#recipients tr', { hasText: 'nia@label.example' });
    await nia.locator('button.resend').click();
    await expect
      .poll(() => page.locator('#status').textContent(), slow)
      .toBe("Nia's link was emailed to them again; it is the link they already have.");
    expect(await page.locator('#new-link').isHidden()).toBe(true);
    await expect.poll(async () => (await mailsTo('nia@label.example')).length, slow).toBe(2);
    expect((await mailsTo('nia@label.example')).every((m) => m.includes(niaUrl))).toBe(true);
    expect((await fetch(niaUrl)).status).toBe(200);
    await looked(page, 'share-link-resent');

    // Replacing Nia's link asks first; dismissed, nothing changes.
    page.once('dialog', (dialog) => dialog.dismiss());
    await nia.locator('button.replace-link').click();
    expect((await fetch(niaUrl)).status).toBe(200);
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('stops working');
      return dialog.accept();
    });
    await nia.locator('button.replace-link').click();
    await expect
      .poll(() => page.locator('#new-link input').inputValue(), slow)
      .toMatch(/\/s\/vml_/);
    const replacedUrl = await page.locator('#new-link input').inputValue();
    expect((await fetch(niaUrl)).status).toBe(404);
    expect((await fetch(replacedUrl)).status).toBe(200);
    await expect(page.locator('#status').textContent()).resolves.toBe(
      "Nia's link was replaced; the new one was emailed to them.",
    );
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();

    // The API, checked against the published document; another organization gets 404s.
    const added = await call(
      owner,
      'POST',
      `/api/shares/${created.id}/recipients`,
      '/api/shares/{id}/recipients',
      { recipients: [{ name: 'Api', email: 'api@label.example' }] },
    );
    expect(added.status).toBe(201);
    const niaId = (
      await owner.json<{ recipients: { id: string; email: string }[] }>(
        'GET',
        `/api/shares/${created.id}`,
      )
    ).body.recipients.find((r) => r.email === 'nia@label.example')!.id;
    const linkPath = (how: string) => `/api/shares/${created.id}/recipients/${niaId}/${how}`;
    const resent = await call<{ url: string; mailed: boolean; replaced: boolean }>(
      owner,
      'POST',
      linkPath('resend'),
      '/api/shares/{id}/recipients/{recipientId}/resend',
    );
    expect(resent.body).toEqual({ url: replacedUrl, mailed: true, replaced: false });
    const rotated = await call<{ url: string; replaced: boolean }>(
      owner,
      'POST',
      linkPath('replace-link'),
      '/api/shares/{id}/recipients/{recipientId}/replace-link',
    );
    expect(rotated.body.replaced).toBe(true);
    expect(rotated.body.url).not.toBe(replacedUrl);
    expect((await fetch(replacedUrl)).status).toBe(404);
    expect((await owner.json('POST', linkPath('resend'))).body).toMatchObject({
      url: rotated.body.url,
      replaced: false,
    });
    await call(owner, 'POST', `/api/shares/${created.id}/tracks`, '/api/shares/{id}/tracks', {
      trackIds: [second.id],
    });
    const stranger = new Browserless(t.url);
    await stranger.register('stranger2@elsewhere.example', 'Stranger');
    for (const [method, path, body] of [
      [
        'POST',
        `/api/shares/${created.id}/recipients`,
        { recipients: [{ name: 'X', email: 'x@x.example' }] },
      ],
      ['POST', `/api/shares/${created.id}/tracks`, { trackIds: [second.id] }],
      ['DELETE', `/api/shares/${created.id}/tracks/${second.id}`, undefined],
      ['POST', linkPath('resend'), undefined],
      ['POST', linkPath('replace-link'), undefined],
    ] as const) {
      expect((await stranger.json(method, path, body)).status, path).toBe(404);
    }
    expect(
      (await owner.json('DELETE', `/api/shares/${created.id}/tracks/${second.id}`)).status,
    ).toBe(204);
  }, 180_000);
});

describe('uploads, in Chromium', () => {
  it('a WAV cut short is refused at upload with its reason, and becomes no track', async () => {
    const whole = readFileSync(music(t.dataDir, 'Whole.wav', 3));
    const before = await owner.json<{ total: number }>('GET', '/api/tracks');
    const { page, problems } = await watchPage(signedIn, t.url, '/library', /status of 400/);
    await page.setInputFiles('#upload input[type=file]', {
      name: 'Cut.wav',
      mimeType: 'audio/wav',
      buffer: whole.subarray(0, Math.floor(whole.length / 2)),
    });
    await page.click('#upload button[type=submit]');
    const outcome = page.locator('#upload-list li', { hasText: 'Cut.wav' }).locator('.error');
    await expect
      .poll(() => outcome.textContent(), slow)
      .toMatch(
        /^This WAV file is cut short: its header announces \d+ bytes of audio but the file holds \d+ \(49 %\)\. Upload the complete file\.$/,
      );
    await looked(page, 'library-cut-wav');
    expect(problems).toEqual([]);
    await page.close();
    const after = await owner.json<{ total: number }>('GET', '/api/tracks');
    expect(after.body.total).toBe(before.body.total);
  }, 60_000);
});

describe('track artwork and notes, in Chromium', () => {
  it('the track page takes artwork and notes; the recipient sees the artwork beside the track', async () => {
    const art = `${t.dataDir}/cover.png`;
    solidImage(art, '0x4338ca', '96x96');
    const track = tracks[0]!;
    const { page, problems, foreign } = await watchPage(signedIn, t.url, `/tracks/${track.id}`);
    await page.locator('#notes-form textarea').waitFor();
    await page.setInputFiles('#artwork-form input[type=file]', art);
    await page.click('#artwork-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Artwork saved.');
    await page.waitForFunction(() => {
      const img = document.getElementById('artwork') as HTMLImageElement | null;
      return Boolean(img && !img.hidden && img.complete && img.naturalWidth === 96);
    });
    await page.fill('#notes-form textarea', 'Mix notes:\nmore bass in the chorus');
    await page.click('#notes-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Notes saved.');
    await page.reload();
    await expect
      .poll(() => page.locator('#notes-form textarea').inputValue(), slow)
      .toBe('Mix notes:\nmore bass in the chorus');
    await expect.poll(() => page.locator('#artwork').isVisible(), slow).toBe(true);
    await looked(page, 'track-artwork', { dark: true });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();

    const created = await share({ recipients: [{ name: 'Ivy', email: 'ivy@label.example' }] });
    const visit = await watchPage(browser, t.url, created.links[0]!.url);
    const cover = visit.page.locator('section.track img.artwork').first();
    await expect(cover.getAttribute('alt')).resolves.toBe(`Artwork of ${track.title}`);
    await visit.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('section.track img.artwork');
      return Boolean(img?.complete && img.naturalWidth === 96);
    });
    await looked(visit.page, 'recipient-artwork');
    expect(visit.problems).toEqual([]);
    expect(visit.foreign).toEqual([]);
    await visit.page.close();

    // The API: the image type is checked; another organization gets a 404.
    const bad = await owner.request('PUT', `/api/tracks/${track.id}/artwork`, 'not an image');
    expect(bad.status).toBe(400);
    const stranger = new Browserless(t.url);
    await stranger.register('stranger3@elsewhere.example', 'Stranger');
    expect((await stranger.request('GET', `/api/tracks/${track.id}/artwork`)).status).toBe(404);
    expect((await stranger.request('DELETE', `/api/tracks/${track.id}/artwork`)).status).toBe(404);
    const got = await owner.request('GET', `/api/tracks/${track.id}/artwork`);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect((await owner.request('DELETE', `/api/tracks/${track.id}/artwork`)).status).toBe(204);
  }, 120_000);
});

describe('organization branding, in Chromium', () => {
  it('the account page takes a colour and a logo; the recipient sees the logo beside the name and the colour on buttons, with readable text', async () => {
    const logo = `${t.dataDir}/logo.png`;
    solidImage(logo, '0xffd400', '160x48');
    const { page, problems, foreign } = await watchPage(signedIn, t.url, '/account');
    await page.locator('#brand-color-form input[type=color]').waitFor();
    // A light yellow: white text would fail WCAG AA on it, so the buttons get dark text.
    await page.locator('#brand-color-form input[type=color]').fill('#ffd400');
    await page.click('#brand-color-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Colour saved.');
    await page.setInputFiles('#logo-form input[type=file]', logo);
    await page.click('#logo-form button[type=submit]');
    await expect.poll(() => page.locator('#status').textContent(), slow).toBe('Logo saved.');
    await page.waitForFunction(() => {
      const img = document.getElementById('org-logo') as HTMLImageElement | null;
      return Boolean(img && !img.hidden && img.complete && img.naturalWidth === 160);
    });
    await looked(page, 'account-branding');
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
    const branding = await call(
      owner,
      'GET',
      '/api/organization/branding',
      '/api/organization/branding',
    );
    expect(branding.body).toEqual({ brandColor: '#ffd400', hasLogo: true });

    const created = await share({ recipients: [{ name: 'Bea', email: 'bea@label.example' }] });
    const visit = await watchPage(browser, t.url, created.links[0]!.url);
    const shown = visit.page.locator('.share-org img.org-logo');
    await expect(shown.getAttribute('alt')).resolves.toBe('Logo of Studio Insights');
    await visit.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.share-org img.org-logo');
      return Boolean(img?.complete && img.naturalWidth === 160);
    });
    const play = visit.page.locator('button.play').first();
    await expect
      .poll(() => play.evaluate((b) => getComputedStyle(b).backgroundColor), slow)
      .toBe('rgb(255, 212, 0)');
    expect(await play.evaluate((b) => getComputedStyle(b).color)).toBe('rgb(0, 0, 0)');
    // The logo sits beside the heading (same row) at desktop width.
    const [logoBox, headingBox] = await Promise.all([
      shown.boundingBox(),
      visit.page.locator('.share-org h1').boundingBox(),
    ]);
    expect(logoBox!.x + logoBox!.width).toBeLessThanOrEqual(headingBox!.x);
    await looked(visit.page, 'recipient-branding', { dark: true });
    expect(visit.problems).toEqual([]);
    expect(visit.foreign).toEqual([]);
    await visit.page.close();

    // Another organization's recipients get its own branding: none, so no logo (404).
    const path = new URL(created.links[0]!.url).pathname;
    const stranger = new Browserless(t.url);
    await stranger.register('stranger4@elsewhere.example', 'Stranger');
    const theirs = await stranger.json<{ links: { url: string }[] }>('POST', '/api/shares', {
      trackIds: [(await uploadTrack(stranger, music(t.dataDir, 'Other.wav', 2), 'Other.wav')).id],
      recipients: [{ name: 'Rob', email: 'rob@label.example' }],
    });
    expect(theirs.status).toBe(201);
    const theirPath = new URL(theirs.body.links[0]!.url).pathname;
    const anonymous = new Browserless(t.url);
    expect((await anonymous.request('GET', `${theirPath}/logo`)).status).toBe(404);
    expect(await (await anonymous.request('GET', `${theirPath}/brand.css`)).text()).not.toContain(
      '--accent',
    );
    const mine = await anonymous.request('GET', `${path}/logo`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect((await anonymous.request('GET', `/s/vml_${'x'.repeat(43)}/logo`)).status).toBe(404);
    expect(
      await call(stranger, 'GET', '/api/organization/branding', '/api/organization/branding'),
    ).toMatchObject({ body: { brandColor: null, hasLogo: false } });
    // The API refuses a bad colour and a non-image; removal erases the logo.
    expect(
      (await owner.json('PUT', '/api/organization/branding', { brandColor: 'yellow' })).status,
    ).toBe(400);
    expect((await owner.request('PUT', '/api/organization/logo', 'not an image')).status).toBe(400);
    expect((await owner.request('DELETE', '/api/organization/logo')).status).toBe(204);
    expect((await anonymous.request('GET', `${path}/logo`)).status).toBe(404);
  }, 180_000);
});
