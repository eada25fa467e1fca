// Smoke test of the diagnostics app: served under /diagnostics/, its index links the four tools,
// and each tool page loads without errors.
import type { OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import { describe, expect, it } from 'vitest';

const TOOL_PATHS = ['/diagnostics/ice/', '/diagnostics/quality/', '/diagnostics/camera/', '/diagnostics/audio/'];

const suite = pageSuite();

async function open(path: string): Promise<OpenedPage> {
  const page = await suite.open(path);
  return page;
}

describe('diagnostics index /diagnostics/', () => {
  it('loads and links the ICE, quality, camera and audio tools', async () => {
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
