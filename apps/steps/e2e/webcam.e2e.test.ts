// Step 1, /webcam/, in Chinese (issue 16): the camera started and stopped by the Chinese names of
// its controls, then no English left on the page, the event log's lines and times included; and a
// camera that cannot meet the constraints, explained in place in Chinese. The English flow is in
// shell.e2e.test.ts and newcomer.e2e.test.ts.
import core from '@workbench/i18n/messages/core/zh-CN.json' with { type: 'json' };
import ui from '@workbench/i18n/messages/ui/zh-CN.json' with { type: 'json' };
import zh from '@workbench/i18n/messages/webcam/zh-CN.json' with { type: 'json' };
import { englishLeft, logLines, waitForVideoPlaying, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const suite = pageSuite();

async function open(initScript?: () => void, ignoreConsoleErrors?: RegExp[]): Promise<OpenedPage> {
  return suite.open('/webcam/?lang=zh', {
    context: { viewport: { width: 1280, height: 900 } },
    ...(ignoreConsoleErrors ? { ignoreConsoleErrors } : {}),
    beforeNavigate: async (context) => {
      if (initScript) await context.addInitScript(initScript);
    },
  });
}

function controls(page: Page) {
  return {
    start: page.getByRole('button', { name: zh.webcam_start }),
    stop: page.getByRole('button', { name: zh.webcam_stop, exact: true }),
    video: page.getByLabel(zh.webcam_video_label),
    badge: page.locator('.controls .badge'),
  };
}

/** The source panel loads its declaration cutter after the page is up; its words are checked too. */
async function waitForSourcePanel(page: Page): Promise<void> {
  await expect.poll(() => page.locator('details.source-panel summary').innerText().catch(() => '')).toContain(ui.ui_source_summary);
}

describe('/webcam/?lang=zh', () => {
  it('启动摄像头 plays the fake camera, 停止 releases it; the log and the settings are Chinese, no English is left', async () => {
    const { page, problems } = await open();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const { start, stop, video, badge } = controls(page);
    await start.click();
    const state = await waitForVideoPlaying(video, { label: zh.webcam_video_label });
    expect(state.videoWidth).toBeGreaterThan(0);
    await expect.poll(() => badge.innerText()).toContain(zh.webcam_state_live);
    await expect.poll(() => page.getByLabel(zh.webcam_settings_label).isVisible()).toBe(true);

    // A filter by its Chinese name: a log line of its own.
    await page.getByLabel(zh.webcam_filter_label).selectOption({ label: zh.webcam_filter_sepia });
    await stop.click();
    await expect.poll(() => start.isEnabled()).toBe(true);
    await expect.poll(() => badge.innerText()).toContain(zh.webcam_state_off);

    const lines = await logLines(page);
    expect(lines.map((line) => line.level)).toEqual(lines.map(() => ui.ui_log_level_info));
    expect(lines.some((line) => line.source === zh.webcam_source_camera && line.message.includes('getUserMedia('))).toBe(true);
    // "{reason}：停止了 {count} 条轨道，摄像头已释放。" with the stop reason.
    expect(lines.some((line) => line.message.startsWith(`${zh.webcam_reason_stopped}：`))).toBe(true);
    // The times in the page's language, still read back as numbers.
    const times = await page.locator('[role="log"] .time').allInnerTexts();
    expect(times.length).toBe(lines.length);
    expect(times.every((time) => /^\d+\.\d毫秒$/.test(time)), times.join(' ')).toBe(true);

    await waitForSourcePanel(page);
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('a camera that cannot meet the constraints is explained in Chinese where the page speaks; no English left', async () => {
    // The fake camera cannot deliver 100000 px wide: the real browser raises OverconstrainedError.
    const { page, problems } = await open(
      () => {
        const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (constraints) => {
          const video = typeof constraints?.video === 'object' ? constraints.video : {};
          return original({ ...constraints, video: { ...video, width: { min: 100_000 } } });
        };
      },
      [/OverconstrainedError/],
    );
    const { start, badge } = controls(page);
    await start.click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText().catch(() => ''), { timeout: 10_000 }).toContain(ui.ui_error_what_to_do);
    expect(await alert.innerText()).toContain('OverconstrainedError');
    await expect.poll(() => badge.innerText()).toContain(zh.webcam_state_failed);
    expect(await start.isEnabled()).toBe(true);
    const errorLine = (await logLines(page)).find((line) => line.level === ui.ui_log_level_error);
    expect(errorLine?.source).toBe(zh.webcam_source_camera);

    await waitForSourcePanel(page);
    // The explanation is core's (explainMediaError), in Chinese too, naming the camera alone (only the
    // camera was asked for); the log line ends with its title.
    const title = core.core_overconstrained_title.replace(core.core_device_either, core.core_device_camera);
    expect(await alert.innerText()).toContain(title);
    expect(errorLine?.message).toContain(title);
    expect(await englishLeft(page, ['main'])).toEqual([]);

    await page.getByRole('button', { name: ui.ui_error_dismiss }).click();
    await expect.poll(() => alert.count()).toBe(0);
    // The log's error line went to the console too (ignored above); nothing else did.
    expect(problems()).toEqual([]);
  });
});
