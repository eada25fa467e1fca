// Smoke test of the steps app as a learner meets it: the index lists the six steps in order, and the
// webcam step shows the (fake) camera and stops it.
import { waitForVideoPlaying, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { JSHandle } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const STEP_PATHS = ['/webcam/', '/peer-connection/', '/data-channel/', '/signaling/', '/call/', '/photo/'];

const suite = pageSuite();

async function open(path: string): Promise<OpenedPage> {
  const page = await suite.open(path);
  return page;
}

describe('steps index /', () => {
  it('links the six steps, in the codelab order', async () => {
    const { page, problems } = await open('/');
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const firstIndex = STEP_PATHS.map((path) => hrefs.indexOf(path));
    expect(firstIndex.every((i) => i >= 0), `links found: ${hrefs.join(' ')}`).toBe(true);
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);
    expect(problems()).toEqual([]);
  });

  it.each(STEP_PATHS)('%s is served and has a heading', async (path) => {
    const { page, problems } = await open(path);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBeGreaterThan(0);
    expect(problems()).toEqual([]);
  });
});

describe('webcam step /webcam/', () => {
  it('Start camera shows the fake camera playing; Stop ends its tracks', async () => {
    const { page, problems } = await open('/webcam/');
    const start = page.getByRole('button', { name: 'Start camera' });
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await start.click();

    const video = page.getByLabel('Local camera');
    const state = await waitForVideoPlaying(video, { label: 'Local camera' });
    expect(state.videoWidth).toBeGreaterThan(0);

    // Held before Stop: the page may drop `window.stream` once the camera is off.
    const stream = (await page.evaluateHandle(() => (window as unknown as { stream?: MediaStream }).stream)) as JSHandle<MediaStream | undefined>;
    expect(await stream.evaluate((s) => s?.getVideoTracks().map((t) => t.readyState))).toEqual(['live']);

    await stop.click();
    await expect.poll(() => stream.evaluate((s) => s?.getTracks().map((t) => t.readyState))).toEqual(expect.arrayContaining(['ended']));
    expect(await stream.evaluate((s) => s?.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    expect(problems()).toEqual([]);
  });
});
