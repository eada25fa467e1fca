// /diagnostics/quality/ in Chinese (issue 16): the loopback call started by its Chinese button name,
// the charts fed, the MOS panel in Chinese; a file that is not a webrtc-internals dump refused with
// the Chinese explanation; then no English left in <main> but what other areas own (listed below).
import zh from '@workbench/i18n/messages/quality/zh-CN.json' with { type: 'json' };
import { englishLeft, launchChromium, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The page's window.samples and window.quality, typed for the page.evaluate callbacks.
import type {} from '../src/pages/quality/live-objects.js';

/**
 * English on the page that other engineers' areas own, as englishLeft quotes them (exact texts,
 * cut at 60 characters), so anything of this page's own that stays English still fails:
 */
const OWNED_BY_OTHERS: ReadonlySet<string> = new Set([
  // packages/ui EventLog (its level words, its heading and buttons), ErrorPanel and SourcePanel chrome.
  'info',
  'warn',
  'error',
  'Event log',
  'Copy log',
  'Clear',
  'What to do:',
  'Dismiss',
  'Source',
  'Imported from the source at build time, not copied: this is ',
  'packages/core/src/diagnostics/quality/quality.ts, lines 84–9',
  // packages/core Peer (connection/): its own log lines, shown through logTo.
  'local offer set',
  'remote offer set',
  'local answer set',
  'remote answer set',
  'remote video track received',
  'remote audio track received',
  'closed',
  'signalingState: stable',
  'signalingState: have-local-offer',
  'signalingState: have-remote-offer',
  'iceGatheringState: gathering',
  'iceGatheringState: complete',
  'iceConnectionState: checking',
  'iceConnectionState: connected',
  'connectionState: connecting',
  'connectionState: connected',
]);

let workbench: Workbench;
let browser: Browser;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await opened?.close();
  await browser?.close();
  await workbench?.close();
});

describe('/diagnostics/quality/?lang=zh', { timeout: 150_000 }, () => {
  it('a loopback call charted with the MOS panel in Chinese; a bad dump refused in Chinese; no English left', async () => {
    opened = await openPage(browser, workbench.urlFor('/diagnostics/quality/?lang=zh'));
    const { page, problems } = opened;
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^zh/);

    await page.getByLabel(zh.quality_video_source).selectOption('pattern');
    await page.getByRole('button', { name: zh.quality_start, exact: true }).click();

    // The charts get data: the bitrate chart's "视频发送" line has a non-zero point.
    const videoOut = () =>
      page.evaluate((label) => {
        const line = window.quality?.charts.bitrate?.data.datasets.find((dataset) => dataset.label === label);
        return Math.max(0, ...(line?.data ?? []).map((point) => point.y ?? 0));
      }, zh.quality_line_video_out);
    await expect.poll(videoOut, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);

    // The MOS panel: the score, the Chinese heading and grade words, the per-stream table.
    await expect.poll(() => page.getByTestId('mos-value').innerText(), { timeout: 60_000 }).toMatch(/^MOS [1-4]\.\d\d$/);
    await expect(page.getByRole('heading', { name: zh.quality_mos_heading }).count()).resolves.toBe(1);
    const grades = [zh.quality_grade_excellent, zh.quality_grade_good, zh.quality_grade_fair, zh.quality_grade_poor];
    const panel = page.locator('section.mos');
    await expect.poll(() => panel.innerText(), { timeout: 30_000 }).toMatch(new RegExp(grades.join('|')));
    await expect.poll(() => page.getByTestId('stream-scores').innerText(), { timeout: 30_000 }).toContain(zh.quality_col_pulled_down);
    expect(await page.getByTestId('stream-scores').innerText()).toMatch(/使 R 降低 \d/);

    await page.getByRole('button', { name: zh.quality_stop, exact: true }).click();
    // Before the import: its refusal is logged as an error (mirrored to the console) on purpose.
    expect(problems()).toEqual([]);

    // A file that is not JSON: the Chinese explanation, its code unchanged.
    await page.getByLabel(zh.quality_import_dump).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a dump') });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain(zh.quality_dump_not_a_dump_title);
    const text = await alert.innerText();
    expect(text).toContain(zh.quality_dump_not_json);
    expect(text).toContain('INVALID_ARGUMENT');

    const left = await englishLeft(page, ['main']);
    // Each line reads `<tag> "text" (words)`: kept unless its text is exactly one of the others'.
    expect(left.filter((line) => !OWNED_BY_OTHERS.has(/ "(.*)" \(/.exec(line)?.[1] ?? ''))).toEqual([]);
  });
});
