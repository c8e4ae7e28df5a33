import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInto } from '../../test/browser.js';
import { ffmpeg, music } from '../../test/music.js';
import { canvasDrawn, checkPage } from '../../test/page-check.js';
import { totpNow } from '../../test/totp.js';
import {
  Browserless,
  eventually,
  mailedCode,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

/** The server's mail outbox. */
const outbox = () => join(t.dataDir, 'outbox');

/** Polls allow for a loaded machine (the default gives up after one second). */
const slow = { timeout: 30_000 };

let browser: Browser;
let t: TestServer;
let song: string;

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  song = music(t.dataDir, 'song.wav', 12);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** A page that records script errors and failed requests (expected 4xx are filtered by the test). */
async function open(path: string, context?: Awaited<ReturnType<Browser['newContext']>>) {
  const page = await (context ?? (await browser.newContext())).newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(new URL(path, t.url).toString());
  return { page, problems };
}

describe('the web pages against the real server, in Chromium', () => {
  it('signs up, uploads with progress, shares, and the recipient plays their copy', async () => {
    const { page, problems } = await open('/library');
    await page.waitForURL(/\/signin\?next=%2Flibrary$/);
    await page.click('a[href="/signup"]');
    await page.fill('input[name=displayName]', 'Studio Nine');
    await page.fill('input[name=email]', 'nine@studio.example');
    await page.fill('input[name=password]', 'a long passphrase for tests');
    await page.click('#signup button[type=submit]');
    // The address is confirmed with the code the vault mails to it.
    await page.locator('#signup-code-field').waitFor();
    await page.fill('#signup input[name=code]', await mailedCode(outbox(), 'nine@studio.example'));
    await page.click('#signup button[type=submit]');
    await page.waitForURL(/\/library$/);

    await page.setInputFiles('#upload input[type=file]', song);
    await page.click('#upload button[type=submit]');
    await expect
      .poll(() => page.locator('#status').textContent(), { timeout: 30_000 })
      .toContain('Analysis is running');
    // The list refreshes until the analysis is done; then the waveform is drawn.
    const row = page.locator('#tracks tr[data-track]');
    await expect
      .poll(() => row.locator('td').nth(5).textContent(), { timeout: 60_000 })
      .toBe('done');
    await canvasDrawn(page, '#tracks canvas.waveform');
    await expect(row.locator('strong').textContent()).resolves.toBe('song');

    await row.locator('input[type=checkbox]').check();
    await page.click('#share-selected');
    await page.waitForURL(/\/shares\/new\?tracks=/);
    await page.fill('.recipient >> nth=0 >> input[name=name]', 'Ann');
    await page.fill('.recipient >> nth=0 >> input[name=email]', 'ann@example.com');
    await page.click('#add-recipient');
    await page.fill('.recipient >> nth=1 >> input[name=name]', 'Ben');
    await page.fill('.recipient >> nth=1 >> input[name=email]', 'ben@example.com');
    await page.check('input[name=allowDownload]');
    await page.click('#share-form button[type=submit]');
    const links = page.locator('#share-result input.mono');
    await expect.poll(() => links.count(), slow).toBe(2);
    const annUrl = await links.nth(0).inputValue();
    const benUrl = await links.nth(1).inputValue();
    expect(annUrl).toMatch(/\/s\/vml_/);

    // The recipient, in a browser without the owner's session.
    const recipient = await open(annUrl);
    await expect(recipient.page.locator('h1').textContent()).resolves.toMatch(
      /^.+ shared a track with Ann$/,
    );
    await canvasDrawn(recipient.page, '.player canvas');
    // Nothing is fetched before play (a page view is not a play): the length comes with the page.
    await recipient.page.waitForFunction(
      () =>
        Number(document.querySelector('.player canvas')?.getAttribute('aria-valuemax') ?? 0) > 11,
    );
    await recipient.page.locator('.player canvas').focus();
    await recipient.page.keyboard.press('ArrowRight');
    await recipient.page.waitForFunction(
      () => Math.round(document.querySelector('audio')!.currentTime) === 5,
    );
    const download = recipient.page.locator('a[href$="/download"]');
    await expect(download.getAttribute('href')).resolves.toMatch(/\/tracks\/[0-9a-f-]+\/download$/);
    expect(recipient.problems).toEqual([]);

    // The owner sees the recipient in the share's access log.
    await page.click('#share-result a.view');
    await page.waitForURL(/\/shares\/[0-9a-f-]+$/);
    await expect.poll(() => page.locator('#access-log').textContent(), slow).toContain('Ann');
    await expect(page.locator('#access-log').textContent()).resolves.toContain('opened');
    expect(await checkPage(page, 'share-access-log')).toEqual([]);
    const ben = page.locator('#recipients tr', { hasText: 'ben@example.com' });
    // Replacing a link is confirmed first: the link Ben has stops working.
    page.once('dialog', (dialog) => dialog.accept());
    await ben.locator('button.replace-link').click();
    await expect
      .poll(() => page.locator('#new-link input').inputValue(), slow)
      .toMatch(/\/s\/vml_/);
    const renewed = await page.locator('#new-link input').inputValue();
    expect(renewed).not.toBe(benUrl);
    expect((await fetch(benUrl)).status).toBe(404);
    expect((await fetch(renewed)).status).toBe(200);
    expect(problems).toEqual([]);
  }, 180_000);

  it('signs in with a second factor, unlocks a protected share, and investigates a leak', async () => {
    // Enrol TOTP through the API, as a settings page would.
    const api = new Browserless(t.url);
    await api.register('two@factor.example', 'Two Factor');
    const { body: enrolled } = await api.json<{ secret: string }>('POST', '/api/auth/totp/enroll');
    const confirmed = await api.json<{ csrfToken: string }>('POST', '/api/auth/totp/confirm', {
      // The previous time step (one step of drift is accepted), so the current one is still
      // unspent for the sign-in below.
      code: totpNow(enrolled.secret, Date.now() - 30_000),
    });
    expect(confirmed.status).toBe(200);

    const context = await browser.newContext();
    const { page, problems } = await open('/signin', context);
    await page.fill('#signin input[name=email]', 'two@factor.example');
    await page.fill('#signin input[name=password]', 'correct horse battery');
    await page.click('#signin button[type=submit]');
    await expect.poll(() => page.locator('#totp-field').isVisible(), slow).toBe(true);
    await page.fill('#signin input[name=totp]', totpNow(enrolled.secret));
    await page.click('#signin button[type=submit]');
    await page.waitForURL(/\/library$/);

    // A protected share made through the API with this browser's session.
    const session = (await context.cookies()).find((c) => c.name === 'vaultmark_session')!;
    const owner = new Browserless(t.url);
    owner.cookies.set(session.name, session.value);
    owner.csrf = (await page.locator('meta[name=vaultmark-csrf]').getAttribute('content')) ?? '';
    const form = new FormData();
    form.set('file', new Blob([readFileSync(song)]), 'Secret Song.wav');
    const track = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body;
    const share = await owner.json<{ links: { url: string }[] }>('POST', '/api/shares', {
      trackIds: [track.id],
      recipients: [{ name: 'Cleo', email: 'cleo@example.com' }],
      password: 'letmein please',
      allowDownload: true,
    });
    const link = share.body.links[0]!.url;

    const recipient = await open(link);
    await recipient.page.fill('input[type=password]', 'wrong');
    await recipient.page.click('button[type=submit]');
    await expect(recipient.page.locator('[role=alert]').textContent()).resolves.toBe(
      'That password is not right.',
    );
    await recipient.page.fill('input[type=password]', 'letmein please');
    await recipient.page.click('button[type=submit]');
    await expect
      .poll(() => recipient.page.locator('h1').textContent(), slow)
      .toMatch(/^.+ shared a track with Cleo$/);
    expect(recipient.page.url()).toBe(link);
    await canvasDrawn(recipient.page, '.player canvas');

    // Cleo's copy leaks; the owner investigates it in the browser.
    const copy = await fetch(`${link}/tracks/${track.id}/download`);
    expect(copy.status).toBe(401);
    const grant = (await recipient.page.context().cookies()).find(
      (c) => c.name === 'vaultmark_grant',
    )!;
    const leaked = await fetch(`${link}/tracks/${track.id}/download`, {
      headers: { Cookie: `vaultmark_grant=${grant.value}` },
    });
    const leak = join(t.dataDir, 'leak.wav');
    writeFileSync(leak, Buffer.from(await leaked.arrayBuffer()));
    await page.goto(`${t.url}/investigations`);
    await page.setInputFiles('#investigate input[type=file]', leak);
    await page.click('#investigate button[type=submit]');
    const headline = page.locator('#outcome h2');
    await expect
      .poll(() => headline.textContent(), { timeout: 120_000 })
      .toBe('Identified: Cleo <cleo@example.com>');
    await expect(page.locator('#outcome p').textContent()).resolves.toMatch(
      /^False-positive probability \d\.\d\d × 10\^-\d+\.$/,
    );
    const stated = (await page.locator('#outcome p').textContent()) ?? '';
    await page.click('#outcome a');
    await expect(page.locator('h1').textContent()).resolves.toBe('Leak investigation report');
    expect(await checkPage(page, 'investigation-report')).toEqual([]);
    await expect(page.locator('#print').isVisible()).resolves.toBe(true);
    // The same wording on the page and in the report.
    const bound = (await page.locator('td strong').first().textContent()) ?? '';
    expect(stated).toBe(`False-positive probability ${bound}.`);
    // The recipient's access history names the track of each download.
    await expect(page.locator('main').textContent()).resolves.toContain('downloadedSecret Song');
    await page.goto(`${t.url}/investigations`);
    await expect
      .poll(() => page.locator('#past').textContent(), slow)
      .toContain('identified: Cleo <cleo@example.com>');
    expect(await checkPage(page, 'investigations-past')).toEqual([]);
    expect(problems).toEqual([]);
    expect(recipient.problems).toEqual([]);
  }, 240_000);

  it('names both recipients when their copies were averaged into one', async () => {
    const owner = new Browserless(t.url, outbox());
    await owner.register('mix@studio.example', 'Mix Studio');
    const form = new FormData();
    form.set('file', new Blob([readFileSync(song)]), 'Mixed Song.wav');
    const track = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body;
    const share = await owner.json<{ links: { url: string }[] }>('POST', '/api/shares', {
      trackIds: [track.id],
      recipients: [
        { name: 'Dana', email: 'dana@example.com' },
        { name: 'Eli', email: 'eli@example.com' },
      ],
      allowDownload: true,
    });
    const copies: string[] = [];
    for (const [i, { url }] of share.body.links.entries()) {
      const copy = await eventually(async () => {
        const answer = await fetch(`${url}/tracks/${track.id}/download`);
        return answer.status === 200 ? Buffer.from(await answer.arrayBuffer()) : undefined;
      });
      copies.push(join(t.dataDir, `mix-copy-${i}.wav`));
      writeFileSync(copies[i]!, copy);
    }
    // The two recipients average their copies, hoping that neither mark survives the other.
    const mixed = join(t.dataDir, 'mixed.wav');
    ffmpeg(
      '-i',
      copies[0]!,
      '-i',
      copies[1]!,
      '-filter_complex',
      'amix=inputs=2:normalize=1',
      mixed,
    );

    const context = await signInto(await browser.newContext(), owner.cookies, t.url);
    const { page, problems } = await open('/investigations', context);
    await page.setInputFiles('#investigate input[type=file]', mixed);
    await page.click('#investigate button[type=submit]');
    await expect
      .poll(() => page.locator('#outcome h2').textContent(), { timeout: 120_000 })
      .toBe("Identified: 2 recipients' copies are in this audio");
    const named = page.locator('#outcome-matches li');
    await expect(named.count()).resolves.toBe(2);
    const lines = (await named.allTextContents()).sort();
    expect(lines[0]).toMatch(
      /^Dana <dana@example\.com>: false-positive probability \d\.\d\d × 10\^-\d+\.$/,
    );
    expect(lines[1]).toMatch(/^Eli <eli@example\.com>: false-positive probability /);
    expect(await checkPage(page, 'investigation-several')).toEqual([]);
    // The past investigations name both as well; the report gives each its own section.
    await expect
      .poll(() => page.locator('#past').textContent(), slow)
      .toMatch(/identified: (Dana <dana@example\.com>, Eli|Eli <eli@example\.com>, Dana)/);
    await page.click('#outcome a');
    await expect(page.locator('main h2').allTextContents()).resolves.toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Match 1: /),
        expect.stringMatching(/^Match 2: /),
      ]),
    );
    expect(problems).toEqual([]);
  }, 240_000);

  it('turns on two-factor sign-in and manages API tokens on the account page', async () => {
    const { page, problems } = await open('/signup');
    await page.fill('input[name=displayName]', 'Acct');
    await page.fill('input[name=email]', 'acct@example.com');
    await page.fill('input[name=password]', 'a long passphrase for tests');
    await page.click('#signup button[type=submit]');
    // The address is confirmed with the code the vault mails to it.
    await page.locator('#signup-code-field').waitFor();
    await page.fill('#signup input[name=code]', await mailedCode(outbox(), 'acct@example.com'));
    await page.click('#signup button[type=submit]');
    await page.waitForURL(/\/library$/);
    await page.click('nav a[href="/account"]');
    await page.waitForURL(/\/account$/);

    await page.click('#totp-start');
    // The secret appears once the enrolment call answers.
    await expect.poll(() => page.locator('#totp-secret').textContent(), slow).toMatch(/\S/);
    const secret = (await page.locator('#totp-secret').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{40,}$/);
    await expect(page.locator('#totp-uri').getAttribute('href')).resolves.toMatch(
      /^otpauth:\/\/totp\//,
    );
    await page.fill('#totp-confirm input[name=code]', totpNow(secret));
    await page.click('#totp-confirm button[type=submit]');
    await expect.poll(() => page.locator('#recovery-codes li').count(), slow).toBe(10);
    const recovery = (await page.locator('#recovery-codes li').first().textContent()) as string;
    await page.click('#totp-codes button');
    await page.waitForLoadState('load');

    // The renewed session works: create an API token, then revoke it.
    // A token is a new credential: password and second factor again (here a recovery code).
    await page.fill('#token-create input[name=password]', 'a long passphrase for tests');
    await page.fill('#token-create input[name=totp]', recovery);
    await page.click('#token-create button[type=submit]');
    await expect.poll(() => page.locator('#token-value').inputValue(), slow).toMatch(/^vms_/);
    const tokenRow = page.locator('#sessions tr', { hasText: 'API token' });
    await expect.poll(() => tokenRow.count(), slow).toBe(1);
    await tokenRow.locator('button').click();
    await expect.poll(() => tokenRow.count(), slow).toBe(0);

    // A studio: created here, chosen in the navigation, with a second member.
    const colleague = new Browserless(t.url);
    await colleague.register('colleague@example.com', 'Colleague');
    await page.fill('#studio-create input[name=name]', 'Room B');
    await page.click('#studio-create button[type=submit]');
    await expect.poll(() => page.locator('#organization').inputValue(), slow).not.toBe('');
    await expect(page.locator('#organization option:checked').textContent()).resolves.toBe(
      'Room B',
    );
    await page.fill('#member-add input[name=email]', 'colleague@example.com');
    await page.click('#member-add button[type=submit]');
    await expect
      .poll(() => page.locator('#status').textContent(), slow)
      .toContain('Invitation sent');
    // Nobody joins without accepting: the colleague answers the invitation.
    const invited = await colleague.json<{ items: { id: string; organizationName: string }[] }>(
      'GET',
      '/api/invitations',
    );
    expect(invited.body.items.map((i) => i.organizationName)).toEqual(['Room B']);
    const accepted = await colleague.request(
      'POST',
      `/api/invitations/${invited.body.items[0]!.id}/accept`,
    );
    expect(accepted.status).toBe(200);
    await page.reload();
    await expect
      .poll(() => page.locator('#members').textContent(), slow)
      .toContain('colleague@example.com');
    await page.click('nav a[href="/library"]');
    await page.setInputFiles('#upload input[type=file]', song);
    await page.click('#upload button[type=submit]');
    await expect.poll(() => page.locator('#tracks tr[data-track]').count(), slow).toBe(1);
    colleague.organization = await page.locator('#organization').inputValue();
    expect((await colleague.json<{ total: number }>('GET', '/api/tracks')).body.total).toBe(1);
    await page.selectOption('#organization', '');
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('#tracks').textContent(), slow).toContain('No tracks yet');

    await page.click('nav a[href="/shares"]');
    await expect.poll(() => page.locator('#shares').textContent(), slow).toBe('No shares yet.');
    expect(problems).toEqual([]);
  }, 120_000);
});
