import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** The system Chromium (Debian's `chromium` package); tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium with flags suited to a closed network and no GPU. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}; install the chromium package`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Gives a browser context the session cookies of an HTTP test client (signed in through the API),
 * for the server at `url`, and returns the context.
 */
export async function signInto(
  context: BrowserContext,
  cookies: Map<string, string>,
  url: string,
): Promise<BrowserContext> {
  await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url })));
  return context;
}
