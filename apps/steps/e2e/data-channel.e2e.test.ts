// Step 3, /data-channel/, in real Chromium: Start → Send → Stop, text arriving exactly, the counters,
// the channel options, and the codelab's "Send enabled before Start" forced to its moment.
import zh from '@workbench/i18n/messages/data-channel/zh-CN.json' with { type: 'json' };
import zhUi from '@workbench/i18n/messages/ui/zh-CN.json' with { type: 'json' };
import { englishLeft, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** What the page puts on `window` for the console (and for these tests). */
type Live = Window & {
  pc1?: RTCPeerConnection;
  pc2?: RTCPeerConnection;
  dataChannel?: RTCDataChannel;
  receiveChannel?: RTCDataChannel;
};

const suite = pageSuite();

async function open(options: { initScript?: () => void; width?: number; path?: string } = {}): Promise<OpenedPage> {
  const { initScript, width = 1280, path = '/data-channel/' } = options;
  const page = await suite.open(path, {
    context: { viewport: { width, height: 900 } },
    beforeNavigate: async (context) => {
      if (initScript) await context.addInitScript(initScript);
    },
  });
  return page;
}

function controls(page: Page) {
  return {
    start: page.getByRole('button', { name: 'Start', exact: true }),
    send: page.getByRole('button', { name: 'Send', exact: true }),
    stop: page.getByRole('button', { name: 'Stop', exact: true }),
    dataToSend: page.getByLabel('Data to send'),
    dataReceived: page.getByLabel('Data received'),
  };
}

/** A counter as the page shows it, Intl-formatted (issue 16): "1,234" past a thousand. */
async function counter(page: Page, testId: string): Promise<number> {
  return Number((await page.getByTestId(testId).innerText()).replaceAll(',', ''));
}

async function sendText(page: Page, text: string): Promise<void> {
  const { send, dataToSend, dataReceived } = controls(page);
  await dataToSend.fill(text);
  await send.click();
  await expect.poll(() => dataReceived.inputValue()).toBe(text);
}

describe('/data-channel/ main flow', () => {
  it('Start opens the channel, Send delivers the text exactly, the counters grow, Stop closes both ends', async () => {
    const { page, problems } = await open();
    const { start, send, stop } = controls(page);
    expect(await send.isEnabled()).toBe(false);
    expect(await stop.isEnabled()).toBe(false);

    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    expect(await page.evaluate(() => [(window as Live).dataChannel?.readyState, (window as Live).dataChannel?.label])).toEqual(['open', 'sendDataChannel']);
    await expect.poll(() => page.evaluate(() => (window as Live).receiveChannel?.readyState)).toBe('open');
    expect(await start.isEnabled()).toBe(false);

    // Unicode and line breaks arrive unchanged; the box shows the latest message as it came.
    const first = 'Hello from pc1 👋\nsecond line, é and 中文';
    await sendText(page, first);
    await expect.poll(() => counter(page, 'messages-received')).toBe(1);
    const firstBytes = new TextEncoder().encode(first).byteLength;
    await expect.poll(() => counter(page, 'bytes-sent')).toBe(firstBytes);
    await expect.poll(() => counter(page, 'bytes-received')).toBe(firstBytes);

    await sendText(page, 'again');
    await expect.poll(() => counter(page, 'messages-sent')).toBe(2);
    await expect.poll(() => counter(page, 'messages-received')).toBe(2);
    await expect.poll(() => counter(page, 'bytes-sent')).toBe(firstBytes + 5);
    await expect.poll(() => counter(page, 'bytes-received')).toBe(firstBytes + 5);

    await stop.click();
    expect(await send.isEnabled()).toBe(false);
    expect(await stop.isEnabled()).toBe(false);
    expect(await start.isEnabled()).toBe(true);
    await expect
      .poll(() => page.evaluate(() => [(window as Live).dataChannel?.readyState, (window as Live).receiveChannel?.readyState]))
      .toEqual(['closed', 'closed']);
    expect(await page.evaluate(() => [(window as Live).pc1?.signalingState, (window as Live).pc2?.signalingState])).toEqual(['closed', 'closed']);

    // The source panel shows the core function that waits for "open", cut from the real file.
    const source = page.locator('details.source-panel', { hasText: 'waitForOpen' });
    await source.locator('summary').click();
    expect(await source.locator('pre').innerText()).toMatch(/export function waitForOpen\(/);
    expect(problems()).toEqual([]);
  });

  it('ordered and maxRetransmits reach both ends of the channel; a bad maxRetransmits is explained and blocks Start', async () => {
    const { page, problems } = await open();
    const { start, send, stop } = controls(page);

    await page.getByLabel('maxRetransmits').fill('-1');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/not a whole number.*leave it empty for a reliable channel/);
    expect(await start.isEnabled()).toBe(false);

    await page.getByRole('checkbox', { name: 'ordered' }).uncheck();
    await page.getByLabel('maxRetransmits').fill('0');
    await expect.poll(() => start.isEnabled()).toBe(true);
    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    await expect.poll(() => page.evaluate(() => (window as Live).receiveChannel?.readyState)).toBe('open');
    const negotiated = await page.evaluate(() => {
      const { dataChannel, receiveChannel } = window as Live;
      return [dataChannel?.ordered, dataChannel?.maxRetransmits, receiveChannel?.ordered, receiveChannel?.maxRetransmits];
    });
    expect(negotiated).toEqual([false, 0, false, 0]);
    // On loopback nothing is lost, so even an unreliable channel delivers.
    await sendText(page, 'unordered, never resent');
    await stop.click();

    // Empty means reliable: maxRetransmits is null again on the next Start.
    await page.getByLabel('maxRetransmits').fill('');
    await page.getByRole('checkbox', { name: 'ordered' }).check();
    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    expect(await page.evaluate(() => [(window as Live).dataChannel?.ordered, (window as Live).dataChannel?.maxRetransmits])).toEqual([true, null]);
    await sendText(page, 'reliable again');
    expect(problems()).toEqual([]);
  });

  it('is usable at phone width: no sideways scrolling of the page at 390 px', async () => {
    const { page, problems } = await open({ width: 390 });
    await controls(page).start.click();
    await expect.poll(() => controls(page).send.isEnabled()).toBe(true);
    await sendText(page, 'small screen');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems()).toEqual([]);
  });
});

describe('/data-channel/ failures explained in place', () => {
  it('a connection closed from the console is explained, and Send is disabled', async () => {
    const { page } = await open();
    const { start, send, stop } = controls(page);
    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    await page.evaluate(() => (window as Live).pc2?.close());
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 15_000 }).toMatch(/Data channel closed[\s\S]*What to do:/);
    await expect.poll(() => send.isEnabled(), { timeout: 15_000 }).toBe(false);
    // Stop still tidies up, and Start works again.
    await stop.click();
    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    await sendText(page, 'after a broken connection');
  });
});

describe('/data-channel/: codelab bugs that must not exist here', () => {
  it('Send enabled before Start: Send is disabled until the channel is open, and again after Stop', async () => {
    // pc1 applies the answer 800 ms late, holding the channel in "connecting" long enough to see.
    // Every time Send's disabled attribute changes, the channel's readyState at that moment is recorded.
    const { page, problems } = await open({
      initScript: () => {
        const proto = RTCPeerConnection.prototype;
        const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
        proto.setRemoteDescription = async function (this: RTCPeerConnection, description: RTCSessionDescriptionInit) {
          if (description.type === 'answer') await new Promise((r) => setTimeout(r, 800));
          return setRemote.call(this, description);
        } as typeof proto.setRemoteDescription;
        const seen: { enabled: boolean; readyState: string }[] = [];
        (window as unknown as { sendButtonChanges: typeof seen }).sendButtonChanges = seen;
        document.addEventListener('DOMContentLoaded', () => {
          new MutationObserver(() => {
            const send = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Send');
            if (!send) return;
            const enabled = !send.disabled;
            if (seen.at(-1)?.enabled === enabled) return;
            seen.push({ enabled, readyState: (window as { dataChannel?: RTCDataChannel }).dataChannel?.readyState ?? 'no channel' });
          }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
        });
      },
    });
    const { start, send, stop } = controls(page);
    expect(await send.isEnabled()).toBe(false);

    await start.click();
    await expect.poll(() => page.evaluate(() => (window as Live).dataChannel?.readyState)).toBe('connecting');
    expect(await send.isEnabled()).toBe(false);
    await expect.poll(() => send.isEnabled(), { timeout: 10_000 }).toBe(true);

    await sendText(page, 'only once open');
    await stop.click();
    expect(await send.isEnabled()).toBe(false);

    const changes = await page.evaluate(() => (window as unknown as { sendButtonChanges: { enabled: boolean; readyState: string }[] }).sendButtonChanges);
    const enabledAt = changes.filter((c) => c.enabled).map((c) => c.readyState);
    expect(enabledAt, JSON.stringify(changes)).toEqual(['open']);
    expect(changes.at(-1)?.enabled).toBe(false);
    expect(problems()).toEqual([]);
  });
});

// Issue 16: the same flow by its Chinese names; a control left in English is not found.
describe('/data-channel/?lang=zh: the main flow in Chinese', () => {
  it('a bad maxRetransmits is explained in Chinese; 开始 opens the channel, 发送 delivers the text, counters in Chinese Intl; no English left', async () => {
    const { page, problems } = await open({ path: '/data-channel/?lang=zh' });
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const start = page.getByRole('button', { name: zh.dc_start, exact: true });
    const send = page.getByRole('button', { name: zh.dc_send, exact: true });
    const stop = page.getByRole('button', { name: zh.dc_stop, exact: true });
    const maxRetransmits = page.getByLabel(zh.dc_max_retransmits_label);

    // The error path: what went wrong and what to type, in Chinese, and Start blocked.
    await maxRetransmits.fill('-1');
    await expect.poll(() => page.getByRole('alert').innerText()).toBe(zh.dc_max_retransmits_not_whole.replace('{text}', '-1').replace('{limit}', '65535'));
    expect(await start.isEnabled()).toBe(false);
    await maxRetransmits.fill('3');
    const reliability = zh.dc_partially_reliable.replace('{order}', zh.dc_order_in_order).replace('{count}', '3');
    await expect.poll(() => page.getByText(reliability, { exact: true }).count()).toBe(1);

    await start.click();
    await expect.poll(() => send.isEnabled()).toBe(true);
    // Each badge reads "<subject>：<state>" to a screen reader (the subject visually hidden, joined
    // by ui's Chinese full-width colon).
    const badges = (state: string) =>
      [zh.dc_send_state_subject, zh.dc_receive_state_subject].map((subject) => page.getByText(`${subject}${zhUi.ui_separator_colon}${state}`, { exact: true }));
    await expect.poll(() => Promise.all(badges(zh.dc_state_open).map((badge) => badge.count()))).toEqual([1, 1]);
    expect(await page.evaluate(() => (window as Live).dataChannel?.maxRetransmits)).toBe(3);

    const text = '你好，pc2 👋 — 第一条消息';
    await page.getByLabel(zh.dc_data_to_send).fill(text);
    await send.click();
    await expect.poll(() => page.getByLabel(zh.dc_data_received).inputValue()).toBe(text);
    const bytes = new TextEncoder().encode(text).byteLength;
    await expect.poll(() => page.getByTestId('bytes-received').innerText()).toBe(new Intl.NumberFormat('zh-CN').format(bytes));
    await expect.poll(() => page.getByTestId('messages-received').innerText()).toBe('1');
    await expect.poll(() => page.getByRole('log').innerText()).toContain(zh.dc_log_received.replace('{count}', String(bytes)));

    await expect.poll(() => page.locator('details.source-panel').count()).toBe(1);
    expect(await englishLeft(page, ['main'])).toEqual([]);

    await stop.click();
    await expect.poll(() => Promise.all(badges(zh.dc_state_closed).map((badge) => badge.count()))).toEqual([1, 1]);
    expect(await start.isEnabled()).toBe(true);
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
