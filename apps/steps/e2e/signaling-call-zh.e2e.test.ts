// Steps 4 and 5 in Chinese (issue 16): /signaling/?lang=zh and /call/?lang=zh driven by their
// Chinese accessible names, so a control left in English (or a page that fell back to English)
// fails here; then every text of <main>, the log and the results included, is checked for English.
import zhCall from '@workbench/i18n/messages/call/zh-CN.json' with { type: 'json' };
import zhSignaling from '@workbench/i18n/messages/signaling/zh-CN.json' with { type: 'json' };
import { englishLeft, launchChromium, openPage, startWorkbench, waitForVideoPlaying, type OpenedPage, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];
let roomCounter = 0;

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

function uniqueRoom(label: string): string {
  roomCounter += 1;
  return `zh-${label}-${process.pid}-${roomCounter}`;
}

async function open(path: string): Promise<OpenedPage> {
  const page = await openPage(browser, workbench.urlFor(path));
  opened.push(page);
  return page;
}

function logText(page: Page): Promise<string> {
  return page.getByRole('log').innerText();
}

/** The sequence diagram's arrows, in order, as "from>to label". */
function arrows(page: Page): Promise<string[]> {
  return page.locator('svg g.arrow').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-from')}>${n.getAttribute('data-to')} ${n.getAttribute('data-label')}`));
}

describe('/signaling/?lang=zh', () => {
  async function joinRoom(room: string): Promise<OpenedPage> {
    const member = await open(`/signaling/?lang=zh&room=${room}`);
    await expect.poll(() => member.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await member.page.getByRole('button', { name: zhSignaling.signaling_join, exact: true }).click();
    await expect.poll(() => member.page.getByTestId('client-id').innerText()).not.toBe('—');
    return member;
  }

  function messages(page: Page): Promise<string[]> {
    return page.getByRole('list', { name: zhSignaling.signaling_chat_history }).getByRole('listitem').allInnerTexts();
  }

  it('two pages join a room and message each other, by Chinese names; nothing English is left', async () => {
    const room = uniqueRoom('sig');
    const first = await joinRoom(room);
    const second = await joinRoom(room);
    const firstId = await first.page.getByTestId('client-id').innerText();
    const events = (page: Page) => page.getByRole('list', { name: zhSignaling.signaling_events_heading }).locator('li code').allTextContents();
    await expect.poll(() => events(first.page)).toEqual(['created', 'join', 'ready']);

    const send = second.page.getByRole('button', { name: zhSignaling.signaling_send, exact: true });
    await expect.poll(() => send.isEnabled()).toBe(true);
    await second.page.getByLabel(zhSignaling.signaling_message_label, { exact: true }).fill('你好，第一个标签页');
    await send.click();
    await expect.poll(() => messages(first.page)).toEqual([expect.stringContaining('你好，第一个标签页')]);
    await first.page.getByLabel(zhSignaling.signaling_message_label, { exact: true }).fill('收到');
    await first.page.getByRole('button', { name: zhSignaling.signaling_send, exact: true }).click();
    await expect.poll(() => messages(second.page)).toEqual([
      expect.stringContaining(`${zhSignaling.signaling_chat_you} 你好，第一个标签页`),
      expect.stringContaining(`${zhSignaling.signaling_chat_from.replace('{id}', firstId)} 收到`),
    ]);
    await expect.poll(() => arrows(first.page)).toEqual(['page>server create or join', 'server>page created', 'server>page join', 'server>page ready', 'peer>page text', 'page>peer text']);
    // The lifelines and times are Chinese; the message names stay the protocol's.
    const heads = await first.page.locator('svg text.head').allTextContents();
    expect(heads).toEqual([zhSignaling.signaling_diagram_this_page, zhSignaling.signaling_diagram_server, zhSignaling.signaling_diagram_other_page]);
    expect(await first.page.locator('svg g.arrow text.time').first().textContent()).toMatch(/^\+\d+毫秒$/);
    expect(await logText(first.page)).toContain('来自');

    // Leaving is explained in Chinese too.
    await second.page.getByRole('button', { name: zhSignaling.signaling_leave, exact: true }).click();
    await expect.poll(() => events(first.page)).toEqual(['created', 'join', 'ready', 'bye']);

    for (const member of [first, second]) {
      expect(await englishLeft(member.page, ['main'])).toEqual([]);
      expect(member.problems()).toEqual([]);
    }
  });

  it('a room name the server refuses is explained in Chinese, with nothing English left', async () => {
    const { page, problems } = await open('/signaling/?lang=zh&room=my%20room!');
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    await page.getByRole('button', { name: zhSignaling.signaling_join, exact: true }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1);
    expect(await page.getByTestId('client-id').innerText()).toBe('—');
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});

describe('/call/?lang=zh', () => {
  function status(page: Page): Promise<string> {
    return page.getByRole('status', { name: zhCall.call_status_label }).locator('strong').innerText();
  }

  async function joinCall(room: string): Promise<OpenedPage> {
    const member = await open(`/call/?lang=zh&room=${room}`);
    await expect.poll(() => member.page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await status(member.page)).toBe(zhCall.call_status_idle);
    await member.page.getByRole('button', { name: zhCall.call_join, exact: true }).click();
    await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toMatch(new RegExp(`^(${zhCall.call_status_joining}|${zhCall.call_status_idle})$`));
    return member;
  }

  it('two pages call each other by Chinese names: both remote videos play, arrows, setup phases and the encryption panel in Chinese', async () => {
    const room = uniqueRoom('call');
    const first = await joinCall(room);
    expect(await status(first.page)).toBe(zhCall.call_status_waiting);
    const second = await joinCall(room);

    await Promise.all(
      [first, second].map((member, index) => waitForVideoPlaying(member.page.getByLabel(zhCall.call_remote_video, { exact: true }), { label: `page ${index + 1}'s remote video`, timeoutMs: 25_000 })),
    );
    for (const member of [first, second]) await expect.poll(() => status(member.page)).toBe(zhCall.call_status_connected);

    // The statistics panel (loaded after the page) in Chinese; ICE's candidate types stay as they are.
    const stats = first.page.getByRole('region', { name: zhCall.call_stats_heading });
    await expect.poll(() => stats.getByTestId('candidate-pair').innerText(), { timeout: 10_000 }).toMatch(/host ↔ host/);
    await expect.poll(() => stats.getByTestId('rtt').innerText()).toMatch(/毫秒$/);

    // The sequence diagram: the offer and answer crossed between the pages.
    await expect.poll(() => arrows(second.page)).toEqual(expect.arrayContaining(['page>server create or join', 'server>page joined', 'server>page ready', 'peer>page offer', 'page>peer answer']));
    expect(await second.page.locator('svg text.head').allTextContents()).toEqual([zhSignaling.signaling_diagram_this_page, zhSignaling.signaling_diagram_server, zhSignaling.signaling_diagram_other_page]);

    // Setup phases: every phase named in Chinese and timed, in 毫秒.
    const setup = second.page.getByRole('list', { name: zhCall.call_setup_heading });
    await expect.poll(() => setup.locator('[data-phase="first remote frame"] strong').innerText(), { timeout: 10_000 }).toMatch(/^[\d,]+毫秒$/);
    expect(await setup.locator('li span').allTextContents()).toEqual([
      zhCall.call_phase_offer,
      zhCall.call_phase_answer,
      zhCall.call_phase_ice_connected,
      zhCall.call_phase_dtls_connected,
      zhCall.call_phase_first_remote_frame,
    ]);

    // Encryption, in Chinese: the certificate matches the other side's a=fingerprint.
    for (const member of [first, second]) {
      const encryption = member.page.getByRole('region', { name: zhCall.call_encryption_heading });
      await expect.poll(() => member.page.getByTestId('fingerprint-match').innerText().catch(() => ''), { timeout: 10_000 }).toBe(zhCall.call_fingerprint_match);
      expect(await encryption.getByText(zhCall.call_srtp_cipher, { exact: true }).count()).toBe(1);
      expect(await member.page.getByTestId('dtls').innerText()).toContain('本端是');
    }

    for (const member of [first, second]) {
      expect(await englishLeft(member.page, ['main'])).toEqual([]);
      expect(member.problems()).toEqual([]);
    }

    // Hang Up, by its Chinese name: the other side is told, in Chinese, and waits.
    await second.page.getByRole('button', { name: zhCall.call_hang_up, exact: true }).click();
    await expect.poll(() => status(first.page)).toBe(zhCall.call_status_peer_left);
    expect(await status(second.page)).toBe(zhCall.call_status_idle);
    expect(await englishLeft(first.page, ['main'])).toEqual([]);
  });

  it('a full room is explained in Chinese, with nothing English left', async () => {
    const room = uniqueRoom('full');
    await joinCall(room);
    await joinCall(room);
    const third = await open(`/call/?lang=zh&room=${room}`);
    await third.page.getByRole('button', { name: zhCall.call_join, exact: true }).click();
    await expect.poll(() => third.page.getByRole('alert').count(), { timeout: 15_000 }).toBe(1);
    expect(await status(third.page)).toBe(zhCall.call_status_idle);
    expect(await englishLeft(third.page, ['main'])).toEqual([]);
  });
});
