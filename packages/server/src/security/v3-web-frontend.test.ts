/**
 * ASVS 5.0 V3 — Web Frontend Security, in Chromium against the real server: the sign-in page
 * follows `next` only to a path of this site after the browser has normalised the URL; the
 * session cookie is out of reach of scripts; pages cannot be framed; stored markup does not run.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  Outbox,
  prepareServers,
  signUp,
  uniqueEmail,
  uploadTrack,
} from '../../test/adversary.js';
import { launchBrowser, signInto } from '../../test/browser.js';
import { engines, type TestServer } from '../../test/vault-server.js';

const servers = await prepareServers();

/** `next` values that must not leave the site, as they would appear in a link. */
const HOSTILE_NEXT: [string, string][] = [
  ['a backslash path (/\\evil)', '%2F%5Cevil.example'],
  ['a tab in the path (/\\t/evil)', '%2F%09%2Fevil.example'],
  ['a protocol-relative URL', '%2F%2Fevil.example'],
  ['three slashes', '%2F%2F%2Fevil.example'],
  ['slash and two backslashes', '%2F%5C%5Cevil.example'],
  ['an absolute URL', 'https%3A%2F%2Fevil.example%2Flibrary'],
  ['a scheme without slashes', 'https%3Aevil.example'],
  ['a javascript: URL', 'javascript%3Awindow.__pwned%3D1'],
  ['a data: URL', 'data%3Atext%2Fhtml%2C%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E'],
  ['a newline before the host', '%2F%0A%2Fevil.example'],
];

// What is tested here is the browser's side (scripts, headers, cookies), which no database
// choice changes: one engine is enough, and Chromium is the slow part of the suite.
describe.each(engines.slice(0, 1))('V3 web frontend on %s', (engine) => {
  let t: TestServer;
  let browser: Browser;
  let outbox: Outbox;
  let user: Agent;
  beforeAll(async () => {
    [browser, t] = await Promise.all([launchBrowser(), servers.take(engine)]);
    outbox = new Outbox(`${t.dataDir}/outbox`);
    user = await signUp(new Agent(t.url), outbox, uniqueEmail('browser'));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A browser context that cannot reach any other site (so a redirect there just fails). */
  async function context(): Promise<BrowserContext> {
    const ctx = await browser.newContext();
    await ctx.route(
      (url) => url.origin !== new URL(t.url).origin && url.protocol.startsWith('http'),
      (route) => route.abort(),
    );
    return ctx;
  }

  /** Signs in on `/signin?next=...` and returns where the page ends up. */
  async function signInWithNext(next: string): Promise<{ url: string; pwned: boolean }> {
    const ctx = await context();
    try {
      const page = await ctx.newPage();
      await page.goto(`${t.url}/signin?next=${next}`);
      await page.fill('#signin input[name=email]', user.email);
      await page.fill('#signin input[name=password]', user.password);
      await page.click('#signin button[type=submit]');
      await page.waitForURL((url) => url.pathname !== '/signin', { timeout: 20_000 });
      await page.waitForLoadState();
      const pwned = await page
        .evaluate(() => (window as { __pwned?: number }).__pwned === 1)
        .catch(() => false);
      return { url: page.url(), pwned };
    } finally {
      await ctx.close();
    }
  }

  it.each(HOSTILE_NEXT)('after sign-in, next= with %s stays on this site', async (_name, next) => {
    const landed = await signInWithNext(next);
    expect(new URL(landed.url).origin).toBe(new URL(t.url).origin);
    expect(landed.pwned).toBe(false);
  });

  it('after sign-in, next= with a path of this site goes there', async () => {
    const landed = await signInWithNext('%2Fshares');
    expect(landed.url).toBe(`${t.url}/shares`);
  });

  it('keeps the session cookie away from page scripts (HttpOnly)', async () => {
    const ctx = await context();
    try {
      const page = await ctx.newPage();
      await page.goto(`${t.url}/signin`);
      await page.fill('#signin input[name=email]', user.email);
      await page.fill('#signin input[name=password]', user.password);
      await page.click('#signin button[type=submit]');
      await page.waitForURL(/\/library$/);
      const cookies = await ctx.cookies(t.url);
      expect(cookies.some((c) => c.name.endsWith('vaultmark_session') && c.httpOnly)).toBe(true);
      expect(await page.evaluate(() => document.cookie)).not.toContain('vaultmark_session');
    } finally {
      await ctx.close();
    }
  });

  it.each([['/signin'], ['/library'], ['/s/vml_not-a-real-link']])(
    'refuses to be framed by another page: %s',
    async (path) => {
      const ctx = await context();
      try {
        const page = await ctx.newPage();
        await page.setContent(`<iframe id="f" src="${t.url}${path}" width="400" height="300">`);
        await page.waitForTimeout(1000);
        // A refused frame shows the browser's own error page instead of the site.
        const frame = page.frames().find((f) => f !== page.mainFrame());
        const framed = frame?.url().startsWith(t.url) ?? false;
        expect(framed).toBe(false);
      } finally {
        await ctx.close();
      }
    },
  );

  it('does not run markup stored in a track title (library page)', async () => {
    const owner = await signUp(new Agent(t.url), outbox, uniqueEmail('stored-xss'));
    const id = await uploadTrack(owner, 'Stored', 808);
    await owner.send('PATCH', `/api/tracks/${id}`, {
      body: {
        title: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>',
        artist: '<svg onload="window.__pwned=1">',
        tags: ['<b onmouseover="window.__pwned=1">tag</b>'],
      },
    });
    const ctx = await context();
    try {
      await signInto(ctx, owner.cookies, t.url);
      const page = await ctx.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${t.url}/library`);
      await page.waitForSelector('#tracks tr[data-track]', { timeout: 20_000 });
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('#tracks img[src=x]').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });
});
