// /diagnostics/quality/ in Chinese (issue 16): the loopback call started by its Chinese button name,
// the charts fed, the MOS panel in Chinese; a file that is not a webrtc-internals dump refused with
// the Chinese explanation; a room call between two Chinese pages; no English left in <main>.
import zhCall from '@workbench/i18n/messages/call/zh-CN.json' with { type: 'json' };
import zh from '@workbench/i18n/messages/quality/zh-CN.json' with { type: 'json' };
import { englishLeft, launchChromium, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The page's window.samples and window.quality, typed for the page.evaluate callbacks.
import type {} from '../src/pages/quality/live-objects.js';

let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  for (const page of opened) await page.close();
  await browser?.close();
  await workbench?.close();
});

describe('/diagnostics/quality/?lang=zh', { timeout: 150_000 }, () => {
  it('a loopback call charted with the MOS panel in Chinese; a bad dump refused in Chinese; no English left', async () => {
    const opening = await openPage(browser, workbench.urlFor('/diagnostics/quality/?lang=zh'));
    opened.push(opening);
    const { page, problems } = opening;
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

    expect(await englishLeft(page, ['main'])).toEqual([]);
  });

  it('a room call by its Chinese names: the room status words, the log and the page stay Chinese', async () => {
    const room = `quality-zh-${Date.now().toString(36)}`;
    const [first, second] = await Promise.all(
      [0, 1].map(async () => {
        const opening = await openPage(browser, workbench.urlFor(`/diagnostics/quality/?lang=zh&room=${room}`));
        opened.push(opening);
        await opening.page.getByRole('button', { name: zh.quality_start, exact: true }).waitFor();
        return opening;
      }),
    );
    if (!first || !second) throw new Error('two pages were opened');
    expect(await first.page.getByLabel(zh.quality_room, { exact: true }).inputValue()).toBe(room);
    await first.page.getByRole('button', { name: zh.quality_join_room, exact: true }).click();
    await expect.poll(() => first.page.getByText(zhCall.call_status_waiting).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await second.page.getByRole('button', { name: zh.quality_join_room, exact: true }).click();
    for (const { page } of [first, second]) {
      await expect.poll(() => page.evaluate(() => window.pc?.connectionState), { timeout: 45_000, interval: 500 }).toBe('connected');
    }
    // The log says each status in Chinese too (the line quotes the status word).
    expect(await first.page.getByRole('log').innerText()).toContain(zhCall.call_status_waiting);

    await second.page.getByRole('button', { name: zh.quality_stop, exact: true }).click();
    await expect.poll(() => first.page.getByText(zhCall.call_status_peer_left).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    for (const { page, problems } of [first, second]) {
      expect(await englishLeft(page, ['main'])).toEqual([]);
      expect(problems()).toEqual([]);
    }
  });
});
