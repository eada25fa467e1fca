// Step 6, /photo/, in Chinese (issue 16): two people on /photo/?lang=zh join one room by the Chinese
// button names, one snaps and sends, the other sees the photo with its size and time written the
// Chinese way (Intl digits and units); a bad ?w=&h= is explained in Chinese; and no English is left
// in <main> after the whole flow, event log included.
import zh from '@workbench/i18n/messages/photo/zh-CN.json' with { type: 'json' };
import { englishLeft, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const suite = pageSuite();
let roomCounter = 0;

function status(page: Page): Promise<string> {
  return page.getByRole('status', { name: zh.photo_connection_status }).innerText();
}

async function openAndJoin(room: string): Promise<OpenedPage> {
  const member = await suite.open(`/photo/?lang=zh&room=${room}`);
  await expect.poll(() => member.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  await member.page.getByRole('button', { name: zh.photo_join, exact: true }).click();
  await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toContain(zh.photo_status_idle);
  return member;
}

function channelOpen(page: Page): Promise<unknown> {
  return page.waitForFunction(() => (window as unknown as { dataChannel?: RTCDataChannel }).dataChannel?.readyState === 'open', undefined, { timeout: 20_000 });
}

describe('/photo/?lang=zh', () => {
  it('join, Snap & Send and receive by the Chinese names; the photo shows with Chinese size and time; no English left', async () => {
    roomCounter += 1;
    const room = `photo-zh-${process.pid}-${roomCounter}`;
    const sender = await openAndJoin(room);
    const receiver = await openAndJoin(room);
    await Promise.all([channelOpen(sender.page), channelOpen(receiver.page)]);

    await sender.page.getByRole('button', { name: zh.photo_snap_and_send, exact: true }).click();

    // The receiver shows the photo under its Chinese heading, with the Chinese alt text.
    const trail = receiver.page.getByRole('list', { name: zh.photo_received_heading });
    await expect.poll(() => trail.getByRole('listitem').count(), { timeout: 20_000 }).toBe(1);
    const item = trail.getByRole('listitem').first();
    const image = item.getByRole('img', { name: /^对方发来的 photo-1-\d+x\d+\.jpg$/ });
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const facts = await item.innerText();
    // Size with Intl's unit and the Chinese comma; the time in 毫秒 (Intl's zh-CN millisecond).
    expect(facts).toMatch(/\d+×\d+，[\d,.]+ (kB|MB|B)，[\d,]+毫秒/);
    expect(facts).toContain(zh.photo_hash_ok);
    expect(await item.getByRole('link', { name: /^下载 photo-1-/ }).count()).toBe(1);

    // Progress rows idle again in Chinese; the sender's facts give the last send in Chinese.
    expect(await receiver.page.getByRole('progressbar', { name: zh.photo_receive_progress }).count()).toBe(1);
    await expect.poll(() => sender.page.getByRole('progressbar', { name: zh.photo_send_progress }).locator('xpath=..').innerText()).toContain(zh.photo_progress_idle);
    const lastSend = sender.page.getByRole('region', { name: zh.photo_channel_heading });
    await expect.poll(() => lastSend.innerText()).toMatch(/分 \d+ 块，用时 [\d,]+毫秒/);
    // The event log says it in Chinese too.
    const log = await receiver.page.getByRole('log').innerText();
    expect(log).toContain('已收到 photo-1-');

    for (const member of [sender, receiver]) {
      expect(await englishLeft(member.page, ['main'])).toEqual([]);
    }
    expect(sender.problems()).toEqual([]);
    expect(receiver.problems()).toEqual([]);
  });

  it('a capture size it cannot use (?w=abc&h=1) is explained in Chinese', async () => {
    const { page, problems } = await suite.open('/photo/?lang=zh&room=photo-zh-bad-size&w=abc&h=1');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText().catch(() => '')).toContain(zh.photo_capture_problem_title);
    expect(await alert.innerText()).toContain('不是有效的拍摄尺寸');
    expect(await alert.innerText()).toContain(zh.photo_capture_problem_fix);
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
