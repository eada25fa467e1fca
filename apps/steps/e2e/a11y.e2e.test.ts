// Accessibility: axe-core on every steps page, in the light and the dark colour scheme (the shared CSS
// promises WCAG AA contrast in both), and on steps 2 and 3 once their tables, SDP and counters are on
// screen. No serious or critical violation is allowed; each one is printed with where it is.
import { axeFindings, waitForVideoPlaying } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const STEPS_PAGES = ['/', '/webcam/', '/peer-connection/', '/data-channel/', '/signaling/', '/call/', '/photo/'];

const suite = pageSuite();

async function open(path: string, colorScheme: 'light' | 'dark'): Promise<Page> {
  const opening = await suite.open(path, { context: { colorScheme } });
  // Wait for the page's own content, not just the HTML shell, before judging it.
  await opening.page.getByRole('heading', { level: 1 }).waitFor();
  return opening.page;
}

async function expectNoBlockingViolations(page: Page, where: string): Promise<void> {
  const { blocking, report } = await axeFindings(page, where);
  if (report) console.error(report);
  expect(blocking.map((v) => `${v.id} (${v.nodes.length})`), report).toEqual([]);
}

describe('axe-core on every steps page', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it.each(STEPS_PAGES)(`%s has no serious or critical violations (${colorScheme})`, async (path) => {
      const page = await open(path, colorScheme);
      await expectNoBlockingViolations(page, `${path} (${colorScheme})`);
    });
  }
});

// Issue 16: the same pages in Chinese: lang="zh-CN" on <html>, the switcher's links each in their
// own lang, and the translated shell must not bring any serious or critical violation.
describe('axe-core on every steps page in Chinese', () => {
  it.each(STEPS_PAGES)('%s?lang=zh has no serious or critical violations', async (path) => {
    const page = await open(`${path}?lang=zh`, 'light');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await expectNoBlockingViolations(page, `${path}?lang=zh`);
  });
});

describe('axe-core on pages in use', () => {
  it('/peer-connection/ during a call (timeline, candidates, open SDP)', async () => {
    const page = await open('/peer-connection/', 'light');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Call', exact: true }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await waitForVideoPlaying(page.getByLabel('Remote video'), { label: 'Remote video' });
    await expect.poll(() => page.getByTestId('setup-time').innerText()).toMatch(/\d+ ms/);
    await page.getByText(/^Offer SDP/).click();
    await expectNoBlockingViolations(page, '/peer-connection/ in a call');
  });

  it('/data-channel/ with the channel open and a message received', async () => {
    const page = await open('/data-channel/', 'light');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isEnabled()).toBe(true);
    await page.getByLabel('Data to send').fill('hello');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => page.getByLabel('Data received').inputValue()).toBe('hello');
    await expectNoBlockingViolations(page, '/data-channel/ open');
  });
});
