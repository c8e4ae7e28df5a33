import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where the page tests leave their screenshots (ignored by git; kept by CI as artefacts). */
export const SCREENSHOTS = join(import.meta.dirname, '..', 'test-output', 'screenshots');

/** The two widths every page is looked at: a laptop and a phone. */
export const WIDTHS = { desktop: 1280, mobile: 390 } as const;

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** One accessibility violation axe-core rates serious or critical. */
export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is now and
 * returns the serious and critical violations. axe is evaluated through the DevTools protocol,
 * so the page's CSP stays as strict as it is for everyone.
 */
export async function accessibilityProblems(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe-core is injected above, untyped here
    const axe = (window as any).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    // biome-ignore lint/suspicious/noExplicitAny: axe-core result objects
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: axe-core node objects
      targets: v.nodes.map((n: any) => String(n.target)),
    }));
  });
  return (violations as Violation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

/**
 * Checks a page as it is now: no serious or critical accessibility violation, and a full-page
 * screenshot at desktop and phone widths under {@link SCREENSHOTS} (`<name>-desktop.png`,
 * `<name>-mobile.png`; with `dark`, also checked and photographed in the dark colour scheme,
 * `<name>-dark.png`). The viewport is restored afterwards.
 */
export async function checkPage(
  page: Page,
  name: string,
  options: { dark?: boolean } = {},
): Promise<Violation[]> {
  const problems = await accessibilityProblems(page);
  if (options.dark) {
    // The pages follow the system's colour scheme: check contrast in the dark one too.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    problems.push(
      ...(await accessibilityProblems(page)).map((v) => ({ ...v, id: `dark: ${v.id}` })),
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-dark.png`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [kind, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: kind === 'mobile' ? 844 : 800 });
    // Canvases redraw on resize; give them a frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${kind}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
  return problems;
}

/** What went wrong on a page: script errors, console errors, and requests that left the host. */
export interface PageWatch {
  page: Page;
  /** Script errors, console errors (CSP violations and invalid patterns among them). */
  problems: string[];
  /** Requests to any origin but the server's. */
  foreign: string[];
}

/**
 * Opens `path` in a page that records script and console errors and every request to another
 * origin. Console errors for responses the test expects (4xx) are filtered with `expected`.
 */
export async function watchPage(
  context: BrowserContext | Browser,
  base: string,
  path: string,
  expected?: RegExp,
): Promise<PageWatch> {
  const page = await context.newPage();
  const origin = new URL(base).origin;
  const watch: PageWatch = { page, problems: [], foreign: [] };
  page.on('pageerror', (error) => watch.problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // A page the test expects to be refused (a 404 page, a used-up link) logs its status.
    if (expected?.test(text)) return;
    watch.problems.push(text);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) {
      watch.foreign.push(request.url());
    }
  });
  await page.goto(new URL(path, base).toString());
  return watch;
}

/** Waits until the canvas matched by `selector` has drawn something (a waveform). */
export function canvasDrawn(page: Page, selector: string) {
  return page.waitForFunction((css) => {
    const canvas = document.querySelector<HTMLCanvasElement>(css);
    if (!canvas || canvas.width === 0) return false;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) return true;
    return false;
  }, selector);
}
