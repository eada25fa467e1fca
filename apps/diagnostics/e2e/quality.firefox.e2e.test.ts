// /diagnostics/quality/ in Firefox ESR (WebDriver BiDi, fake media): the loopback call is charted, and
// every line Firefox does not report is said to be "not reported by this browser", never drawn as zero.
import { launchFirefox, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../src/pages/quality/live-objects.js';

let workbench: Workbench;
let firefox: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  workbench = await startWorkbench();
  firefox = await launchFirefox();
}, 120_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await firefox?.close();
  await workbench?.close();
});

describe('/diagnostics/quality/ in Firefox ESR', { timeout: 150_000 }, () => {
  it('charts a loopback call, and names the metrics Firefox does not report instead of showing zero', async () => {
    const opening = await openPage(firefox, workbench.urlFor('/diagnostics/quality/'));
    opened.push(opening);
    const { page, problems } = opening;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const span = () => page.evaluate(() => ((window.samples?.at(-1)?.timestamp ?? 0) - (window.samples?.[0]?.timestamp ?? 0)) / 1000);
    await expect.poll(span, { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(8);

    // Every chart line, as chart.js holds it: the ones with no value at all, per chart.
    const lines = await page.evaluate(() =>
      Object.entries(window.quality?.charts ?? {}).flatMap(([chart, instance]) =>
        (instance?.data.datasets ?? []).map((dataset) => ({ chart, label: String(dataset.label), values: dataset.data.map((point) => point.y) })),
      ),
    );
    expect(lines.length).toBeGreaterThan(5);
    const byLabel = (label: string) => lines.find((line) => line.label === label)?.values ?? [];
    // Firefox reports these for a loopback call.
    expect(byLabel('Video out').some((y) => (y ?? 0) > 0)).toBe(true);
    expect(byLabel('Video in').some((y) => (y ?? 0) > 0)).toBe(true);

    const empty = lines.filter((line) => line.values.every((y) => y === null));
    // Firefox ESR 153 has no availableOutgoingBitrate on the candidate pair (seen here): the page must say so.
    expect(empty.map((line) => line.label)).toContain('Available outgoing');
    for (const line of empty) {
      // Named under its chart, and in the chart's latest-values line, in words.
      await expect.poll(() => page.locator(`[data-chart-latest="${line.chart}"]`).innerText()).toContain(`${line.label} not reported by this browser`);
      expect(await page.locator(`figure:has([data-chart-latest="${line.chart}"]) [data-unreported]`).innerText()).toContain(line.label);
    }
    // A chart with every line reported says nothing of the kind.
    const reportedCharts = [...new Set(lines.map((l) => l.chart))].filter((chart) => !empty.some((line) => line.chart === chart));
    expect(reportedCharts.length).toBeGreaterThan(0);
    for (const chart of reportedCharts) expect(await page.locator(`[data-chart-latest="${chart}"]`).innerText()).not.toContain('not reported');
    console.log(`Firefox ESR does not report: ${empty.map((l) => `${l.chart}/${l.label}`).join(', ') || 'nothing'}`);

    await page.getByRole('button', { name: 'Stop' }).click();
    expect(problems()).toEqual([]);
  });
});
