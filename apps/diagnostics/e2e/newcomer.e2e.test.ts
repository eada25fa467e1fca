// What a newcomer sees on every diagnostics page (issue 13), in real Chromium: at 1280×800 and
// 390×844, light and dark, nothing is cut off and the page never scrolls sideways, the first control
// is on the first phone screen, and a screenshot of each is saved under test-results/screenshots/.
// Then each tool's main flow: its event log follows the newest line, repeats no line within a
// second and shows no normal step as an error; the quality page says nothing about a bitrate cap
// nobody set, titles each chart's unit once and marks a cap change on the time axis; the camera
// probe's results table fits a laptop screen.
import { fileURLToPath } from 'node:url';

import { VIEWPORTS, clippedContent, firstControl, logLines, repeatedLines, saveScreenshot, waitForLogToFollow, type ViewportName } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const suite = pageSuite();
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
// The nav's list (packages/ui/src/pages.ts); the first test checks the nav lists no other page.
const PATHS = ['/diagnostics/', '/diagnostics/ice/', '/diagnostics/quality/', '/diagnostics/camera/', '/diagnostics/audio/'];

it('checks every page the diagnostics nav lists, named as their titles', async () => {
  const { page } = await suite.open('/diagnostics/');
  const nav = page.getByRole('navigation', { name: 'Diagnostics tools' });
  const navPaths = await nav.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(navPaths.filter((path) => path.startsWith('/diagnostics/'))).toEqual(PATHS);
  expect(await nav.getByRole('link', { name: 'ICE server test' }).count()).toBe(1);
  expect(await nav.getByRole('link', { name: 'Camera probe' }).count()).toBe(1);
});

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('every diagnostics page at %s width', (viewportName) => {
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
      const name = path === '/diagnostics/' ? 'home' : path.replace('/diagnostics/', '').replace(/\/$/, '');
      await saveScreenshot(page, SCREENSHOTS, `diagnostics-${name}-${viewport.width}-${colorScheme}`);
      expect(problems()).toEqual([]);
      await page.context().close();
    }
  });
});

async function expectCleanLog(page: Page): Promise<void> {
  expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
  const lines = await logLines(page);
  expect(lines.length).toBeGreaterThan(2);
  expect(repeatedLines(lines)).toEqual([]);
  expect(lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe('each tool after its main flow', () => {
  it('/diagnostics/quality/: Start, a cap, Stop; the log follows, no "cap removed" at Start, units once, the cap on the time axis', async () => {
    const { page, problems } = await suite.open('/diagnostics/quality/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.locator('[data-chart-latest="bitrate"]').innerText(), { timeout: 30_000 }).toMatch(/Video out \d/);
    const log = page.getByRole('log');
    expect(await log.innerText()).not.toContain('Bitrate cap removed');
    await page.getByLabel('Bitrate cap (kbps)').fill('300');
    // Enter commits the value as a person would; a later blur then fires no second change.
    await page.getByLabel('Bitrate cap (kbps)').press('Enter');
    await expect.poll(() => log.innerText(), { timeout: 10_000 }).toContain('maxBitrate: 300000');
    await expect.poll(() => page.getByRole('region', { name: 'Timeline events' }).innerText(), { timeout: 10_000 }).toContain('Bitrate cap set to 300 kbps');
    const titles = await page.locator('.chart h3').allInnerTexts();
    expect(titles.filter((title) => /\(.*\(|\(([^)]+)\).*\(\1\)/.test(title) || /MOS.*\(MOS\)/.test(title))).toEqual([]);
    expect(await page.getByText('see the formula below').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Timeline events' }).innerText()).not.toMatch(/-\d+\.\d s/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  }, 90_000);

  it('/diagnostics/camera/: after a quick scan the log follows and the results table fits 1280 px', async () => {
    const { page, problems } = await suite.open('/diagnostics/camera/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Quick scan', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Quick scan', exact: true }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.getByRole('region', { name: 'Results table' }).locator('tbody tr').count()).toBeGreaterThan(3);
    const fits = await page.getByRole('region', { name: 'Results table' }).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fits.scroll, 'the Reason column was cut off at 1280 px').toBeLessThanOrEqual(fits.client + 1);
    expect(await clippedContent(page)).toEqual([]);
    await saveScreenshot(page, SCREENSHOTS, 'diagnostics/camera-after-scan-1280');
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  }, 120_000);
});
