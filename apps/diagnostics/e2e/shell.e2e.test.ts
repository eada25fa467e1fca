// Smoke test of the diagnostics app: served under /diagnostics/, its index links the three tools,
// and each tool page loads without errors.
import { launchChromium, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const TOOL_PATHS = ['/diagnostics/ice/', '/diagnostics/quality/', '/diagnostics/camera/'];

let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];
beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
});

async function open(path: string): Promise<OpenedPage> {
  const page = await openPage(browser, workbench.urlFor(path));
  opened.push(page);
  return page;
}

describe('diagnostics index /diagnostics/', () => {
  it('loads and links the ICE, quality and camera tools', async () => {
    const { page, problems } = await open('/diagnostics/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    for (const path of TOOL_PATHS) expect(hrefs, `links found: ${hrefs.join(' ')}`).toContain(path);
    expect(problems()).toEqual([]);
  });

  it.each(TOOL_PATHS)('%s is served and has a heading', async (path) => {
    const { page, problems } = await open(path);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    expect(problems()).toEqual([]);
  });
});
