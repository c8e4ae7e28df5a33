import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInto } from '../../../test/browser.js';
import { music } from '../../../test/music.js';
import { canvasDrawn, checkPage, watchPage } from '../../../test/page-check.js';
import { Browserless, startTestServer, type TestServer } from '../../../test/vault-server.js';

/** Polls allow for a loaded machine. */
const slow = { timeout: 60_000 };

let browser: Browser;
let t: TestServer;
let owner: Browserless;
let signedIn: BrowserContext;

beforeAll(async () => {
  [browser, t] = await Promise.all([launchBrowser(), startTestServer('pglite')]);
  owner = new Browserless(t.url);
  await owner.register('sessions@studio.example', 'Session Studio');
  signedIn = await browser.newContext();
  await signInto(signedIn, owner.cookies, t.url);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

interface SessionBody {
  participants: { id: string; name: string }[];
  tracks: { participantId: string; offsetMs: number; trackId: string; sizeBytes: number }[];
  events: { kind: string; participantId: string | null; detail: { reason?: string } | null }[];
}

async function chooseAndUpload(page: Page, participant: string, startedAt: string, file: string) {
  await page.selectOption('#track-upload select[name=participant]', { label: participant });
  await page.fill('#track-upload input[name=startedAt]', startedAt);
  await page.setInputFiles('#track-upload input[name=file]', file);
  await page.click('#track-upload button[type=submit]');
}

describe('a two-participant recording session in Chromium', () => {
  it('uploads both tracks through a corrupted chunk, a dropped connection and a reload, then plays them aligned', async () => {
    // Each take is about 1 MiB: four 256 KiB chunks.
    const hostTake = music(t.dataDir, 'host-take.wav', 6);
    const guestTake = music(t.dataDir, 'guest-take.wav', 5);

    const list = await watchPage(signedIn, t.url, '/recording-sessions');
    await list.page.fill('#session-new input[name=title]', 'Kitchen duet');
    await list.page.click('#session-new button[type=submit]');
    await list.page.waitForURL(/\/recording-sessions\/[0-9a-f-]{36}$/, slow);
    const page = list.page;
    const sessionId = page.url().split('/').pop()!;
    await page.locator('#session-title', { hasText: 'Kitchen duet' }).waitFor(slow);

    // Two participants, invited from the page (the invitation is mailed).
    for (const [name, email, role] of [
      ['Hana', 'hana@example.com', 'host'],
      ['Gil', 'gil@example.com', 'guest'],
    ] as const) {
      await page.fill('#invite input[name=name]', name);
      await page.fill('#invite input[name=email]', email);
      await page.selectOption('#invite select[name=role]', role);
      await page.click('#invite button[type=submit]');
      await page.locator(`#participants li`, { hasText: name }).waitFor(slow);
    }

    // Hana: her second chunk is damaged in transit once (the server answers 460 and it is sent
    // again), and her third is cut off by a dropped connection (the upload waits, asks the
    // server where it stands and carries on).
    let patches = 0;
    const flaky = async (route: Route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      patches += 1;
      if (patches === 2) {
        const body = Buffer.from(route.request().postDataBuffer()!);
        body[1000]! ^= 0xff;
        return route.continue({ postData: body });
      }
      if (patches === 4) return route.abort('connectionreset');
      return route.continue();
    };
    await page.route('**/api/uploads/**', flaky);
    await chooseAndUpload(page, 'Hana (host)', '2026-03-02T18:00:00.000', hostTake);
    await expect.poll(() => page.getAttribute('#track-upload', 'data-state'), slow).toBe('done');
    await page.unroute('**/api/uploads/**', flaky);
    expect(patches).toBeGreaterThanOrEqual(6);

    // Gil: after his first chunk the connection stays down, and he reloads the page; choosing
    // the same file again resumes the upload where the server has it.
    let gilPatches = 0;
    const down = async (route: Route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      gilPatches += 1;
      return gilPatches === 1 ? route.continue() : route.abort('internetdisconnected');
    };
    await page.route('**/api/uploads/**', down);
    await chooseAndUpload(page, 'Gil (guest)', '2026-03-02T18:00:01.500', guestTake);
    await expect.poll(() => page.getAttribute('#track-upload', 'data-state'), slow).toBe('waiting');
    await page.unroute('**/api/uploads/**', down);
    await page.reload();
    await page.locator('#participants li', { hasText: 'Gil' }).waitFor(slow);
    await chooseAndUpload(page, 'Gil (guest)', '2026-03-02T18:00:01.500', guestTake);
    await expect.poll(() => page.getAttribute('#track-upload', 'data-state'), slow).toBe('done');
    // It went on from where the server had it (at least the first chunk), not from zero.
    expect(Number(await page.getAttribute('#track-upload', 'data-resumed-from'))).toBeGreaterThan(
      0,
    );

    const session = (await owner.json<SessionBody>('GET', `/api/recording-sessions/${sessionId}`))
      .body;
    const [hana, gil] = session.participants;
    expect(session.tracks.map((x) => [x.participantId, x.offsetMs])).toEqual([
      [hana!.id, 0],
      [gil!.id, 1500],
    ]);
    expect(session.events.filter((e) => e.participantId === hana!.id).map((e) => e.kind)).toEqual([
      'invited',
      'joined',
      'upload_started',
      'failed',
      'completed',
    ]);
    expect(session.events.find((e) => e.kind === 'failed')?.detail?.reason).toBe(
      'checksum_mismatch',
    );
    // One upload for Gil, resumed across the reload (not started again).
    expect(session.events.filter((e) => e.participantId === gil!.id).map((e) => e.kind)).toEqual([
      'invited',
      'joined',
      'upload_started',
      'completed',
    ]);

    // The multitrack player: two lanes, each waveform drawn, Gil's placed 1.5 s in.
    const lanes = page.locator('#tracks li.lane');
    await expect.poll(() => lanes.count(), slow).toBe(2);
    await canvasDrawn(page, '#tracks li.lane:nth-child(1) canvas');
    await canvasDrawn(page, '#tracks li.lane:nth-child(2) canvas');
    const margins = await lanes
      .locator('canvas')
      .evaluateAll((canvases) =>
        canvases.map((c) => Number.parseFloat((c as HTMLCanvasElement).style.marginLeft)),
      );
    expect(margins[0]).toBe(0);
    expect(margins[1]).toBeGreaterThan(15);
    await page.click('#tracks li.lane:nth-child(2) button:has-text("Solo")');
    await page.click('#tracks li.lane:nth-child(1) button:has-text("Mute")');
    expect(
      await page.getAttribute(
        '#tracks li.lane:nth-child(2) button:has-text("Solo")',
        'aria-pressed',
      ),
    ).toBe('true');
    await page.click('#play-all');
    await page.locator('#play-all', { hasText: 'Stop' }).waitFor(slow);
    await page.locator('#clock', { hasText: /^0:0[1-9]/ }).waitFor(slow);
    await page.click('#play-all');
    await page.locator('#events li[data-kind=failed]').waitFor(slow);

    // Removing Gil revokes his invitation link; his track stays.
    await page.click('#participants button[aria-label="Remove Gil"]');
    await page.locator('#participants li', { hasText: 'removed' }).waitFor(slow);
    expect(await page.locator('#track-upload select[name=participant] option').count()).toBe(1);
    expect(await lanes.count()).toBe(2);

    expect(await checkPage(page, 'recording-session', { dark: true })).toEqual([]);
    expect(list.problems.filter((p) => !/460|Failed to load resource/.test(p))).toEqual([]);
    expect(list.foreign).toEqual([]);

    const overview = await watchPage(signedIn, t.url, '/recording-sessions');
    await overview.page.locator('#sessions a', { hasText: 'Kitchen duet' }).waitFor(slow);
    // Transcripts: off until switched on here (an owner is an admin).
    const toggle = overview.page.locator('#transcripts');
    await expect.poll(() => toggle.isEnabled(), slow).toBe(true);
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await overview.page.locator('#status', { hasText: 'Transcripts are on.' }).waitFor(slow);
    expect((await owner.json('GET', '/api/organization/transcripts')).body).toEqual({
      enabled: true,
    });
    expect(await checkPage(overview.page, 'recording-sessions')).toEqual([]);
    expect(overview.problems).toEqual([]);
    await overview.page.close();

    // Deleting the recording from its page erases it.
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#session-delete');
    await page.waitForURL(/\/recording-sessions$/, slow);
    expect((await owner.json('GET', `/api/recording-sessions/${sessionId}`)).status).toBe(404);
    await page.close();
  }, 300_000);
});
