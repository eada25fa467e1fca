// What a newcomer sees on every steps page (issue 13), in real Chromium: at 1280×800 and 390×844,
// light and dark, nothing is cut off and the page never scrolls sideways, the first control is on
// the first phone screen, and a screenshot of each is saved under test-results/screenshots/ for a
// person to look at. Then the event log of the pages with a one-tab flow: it follows the newest
// line (in Chromium and Firefox ESR), offers "new lines ↓" when the reader scrolled up, repeats no
// line within a second and shows no normal step as an error.
import { fileURLToPath } from 'node:url';

import {
  VIEWPORTS,
  clippedContent,
  firstControl,
  launchFirefox,
  logLines,
  logView,
  openPage,
  repeatedLines,
  saveScreenshot,
  waitForLogToFollow,
  waitForVideoPlaying,
  type ViewportName,
} from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

const suite = pageSuite();
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
// The nav's list (packages/ui/src/pages.ts); the first test checks the nav lists no other page.
const PATHS = ['/', '/webcam/', '/peer-connection/', '/data-channel/', '/signaling/', '/call/', '/photo/'];

it('checks every page the steps nav lists', async () => {
  const { page } = await suite.open('/');
  const navPaths = await page
    .getByRole('navigation', { name: 'Codelab steps' })
    .locator('a[href]')
    .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(navPaths.filter((path) => !path.startsWith('/diagnostics/'))).toEqual(PATHS);
});

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('every steps page at %s width', (viewportName) => {
  const viewport = VIEWPORTS[viewportName];
  it.each(PATHS)('%s: nothing cut off, first control on the first screen, screenshots light and dark', async (path) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems } = await suite.open(path, { context: { viewport, colorScheme } });
      await page.locator('main h1').waitFor();
      expect(await clippedContent(page), `${path} at ${viewport.width} px, ${colorScheme}`).toEqual([]);
      if (viewportName === 'phone') {
        const control = await firstControl(page);
        if (control) expect(control.bottom, `${path}: first control "${control.label}"`).toBeLessThanOrEqual(viewport.height);
      }
      await saveScreenshot(page, SCREENSHOTS, `steps${path === '/' ? '/home' : path}-${viewport.width}-${colorScheme}`);
      expect(problems()).toEqual([]);
      await page.context().close();
    }
  });
});

/** Start → Call on /peer-connection/: a burst of a few dozen log lines in a second. */
async function peerConnectionFlow(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const call = page.getByRole('button', { name: 'Call', exact: true });
  await expect.poll(() => call.isEnabled(), { timeout: 20_000 }).toBe(true);
  await call.click();
  await waitForVideoPlaying(page.getByLabel('Remote video'), { label: 'Remote video' });
  await expect.poll(() => page.getByTestId('setup-time').innerText(), { timeout: 20_000 }).toMatch(/\d+ ms/);
}

async function expectCleanLog(page: Page): Promise<void> {
  const lines = await logLines(page);
  expect(lines.length).toBeGreaterThan(5);
  expect(repeatedLines(lines)).toEqual([]);
  expect(lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe('the event log follows the flow', () => {
  it('/peer-connection/ after Call: the last line ("Setup time") is in view, nothing repeats, nothing is an error', async () => {
    const { page, problems } = await suite.open('/peer-connection/', { context: { viewport: VIEWPORTS.desktop } });
    await peerConnectionFlow(page);
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  });

  it('/peer-connection/ when the reader scrolled up: stays put, offers "new lines ↓", which jumps to the newest', async () => {
    const { page } = await suite.open('/peer-connection/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const call = page.getByRole('button', { name: 'Call', exact: true });
    await expect.poll(() => call.isEnabled(), { timeout: 20_000 }).toBe(true);
    const log = page.getByRole('log');
    // Enough lines to scroll: Start logs a handful; Call adds dozens. Scroll up once there is room.
    await call.click();
    await expect.poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight + 40), { timeout: 20_000 }).toBe(true);
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: 'Hang Up', exact: true }).click();
    await expect.poll(async () => (await logView(page)).newLinesButton, { timeout: 10_000 }).toBe(true);
    expect(await log.evaluate((el) => el.scrollTop)).toBeLessThan(10);
    await page.getByRole('button', { name: /new lines? ↓/ }).click();
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
  });

  it('/data-channel/ after Start and Send: the received line is in view', async () => {
    const { page, problems } = await suite.open('/data-channel/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled(), { timeout: 20_000 }).toBe(true);
    for (let i = 0; i < 8; i++) {
      // Different lengths: the log says "Sent N bytes", and eight identical lines would be noise.
      await page.getByLabel('Data to send').fill(`hello ${'!'.repeat(i)}`);
      await send.click();
    }
    await expect.poll(async () => ((await page.getByRole('log').innerText()).match(/Received \d+ bytes/g) ?? []).length, { timeout: 10_000 }).toBe(8);
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true });
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  });

  let firefox: Browser | undefined;
  afterAll(async () => {
    await firefox?.close();
  });

  it('in Firefox ESR too: /peer-connection/ after Call', async () => {
    firefox = await launchFirefox();
    const opened = await openPage(firefox, suite.workbench.urlFor('/peer-connection/'), { context: { viewport: VIEWPORTS.desktop } });
    try {
      await peerConnectionFlow(opened.page);
      expect(await waitForLogToFollow(opened.page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
      await expectCleanLog(opened.page);
    } finally {
      await opened.close();
    }
  }, 120_000);
});
