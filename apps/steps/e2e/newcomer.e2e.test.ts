// What a newcomer sees on every steps page (issue 13), in real Chromium: at 1280×800 and 390×844,
// light and dark, nothing is cut off and the page never scrolls sideways, the first control is on
// the first phone screen, and a screenshot of each is saved under test-results/screenshots/ for a
// person to look at. Then the event log of the pages with a one-tab flow: it follows the newest
// line (in Chromium and Firefox ESR), offers "new lines ↓" when the reader scrolled up, repeats no
// line within a second and shows no normal step as an error; the two-tab pages (/signaling/,
// /call/ with a rejoin, /photo/) the same, with a peer leaving said as a status, an unreachable
// STUN server said once per connection, and /api/ice-servers fetched once per page load.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  VIEWPORTS,
  clearScreenshots,
  clippedContent,
  firstControl,
  headerRows,
  launchFirefox,
  logLines,
  logView,
  openPage,
  isUnreachableStunLine,
  repeatedLines,
  saveScreenshot,
  squeezedFacts,
  waitForLogToFollow,
  waitForVideoPlaying,
  type LogLine,
  type OpenedPage,
  type ViewportName,
} from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A STUN server whose lookup always fails (RFC 6761's .invalid), as the default Google STUN
// server's does on a machine without network: every gathering gets its 701.
const UNREACHABLE_STUN = 'stun:stun.invalid:3478';
const suite = pageSuite({ workbench: { iceServers: { stun: [UNREACHABLE_STUN] } } });
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
// The nav's list (packages/ui/src/pages.ts); the first test checks the nav lists no other page.
const PATHS = ['/', '/webcam/', '/peer-connection/', '/data-channel/', '/signaling/', '/call/', '/photo/'];
/** The pages whose flow starts with Join: on a phone Join itself, not only the room field, is on the first screen. */
const JOIN_PAGES = ['/call/', '/photo/', '/signaling/'];

// Pictures from an earlier run (of a page since fixed or renamed) would mislead: start empty.
const runStartedAt = Date.now();
beforeAll(() => clearScreenshots(SCREENSHOTS));

it('checks every page the steps nav lists', async () => {
  const { page } = await suite.open('/');
  const navPaths = await page
    .getByRole('navigation', { name: 'Codelab steps' })
    .locator('a[href]')
    .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(navPaths.filter((path) => !path.startsWith('/diagnostics/'))).toEqual(PATHS);
});

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('every steps page at %s width', (viewportName) => {
  const viewport = VIEWPORTS[viewportName];
  it.each(PATHS)('%s: nothing cut off, first control on the first screen, screenshots light and dark', async (path) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, problems } = await suite.open(path, { context: { viewport, colorScheme } });
      await page.locator('main h1').waitFor();
      expect(await clippedContent(page), `${path} at ${viewport.width} px, ${colorScheme}`).toEqual([]);
      expect(await squeezedFacts(page), `${path} at ${viewport.width} px: facts beside long labels`).toEqual([]);
      if (viewportName === 'phone') {
        const control = await firstControl(page);
        if (control) expect(control.bottom, `${path}: first control "${control.label}"`).toBeLessThanOrEqual(viewport.height);
        if (JOIN_PAGES.includes(path)) {
          const join = await firstControl(page, 'Join');
          expect(join, `${path} has a Join button`).toBeDefined();
          expect(join?.bottom, `${path}: Join on the first screen`).toBeLessThanOrEqual(viewport.height);
        }
      }
      await saveScreenshot(page, SCREENSHOTS, `steps${path === '/' ? '/home' : path}-${viewport.width}-${colorScheme}`);
      expect(problems()).toEqual([]);
      await page.context().close();
    }
  });
});

describe('every steps page at phone width in Chinese (?lang=zh)', () => {
  it.each(PATHS)('%s: header one row with the switcher, nothing cut off, first control on the first screen', async (path) => {
    const viewport = VIEWPORTS.phone;
    const { page, problems } = await suite.open(`${path}?lang=zh`, { context: { viewport } });
    await page.locator('main h1').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.getByRole('group', { name: '语言' }).getByRole('link', { name: 'English' }).isVisible()).toBe(true);
    expect(await headerRows(page), `${path}: header rows`).toHaveLength(1);
    expect(await clippedContent(page), `${path} at ${viewport.width} px in Chinese`).toEqual([]);
    const control = await firstControl(page);
    if (control) expect(control.bottom, `${path}: first control "${control.label}"`).toBeLessThanOrEqual(viewport.height);
    await saveScreenshot(page, SCREENSHOTS, `steps${path === '/' ? '/home' : path}-${viewport.width}-zh`);
    expect(problems()).toEqual([]);
  });

  it('the English header is one row at phone width too', async () => {
    const { page } = await suite.open('/photo/?lang=en', { context: { viewport: VIEWPORTS.phone } });
    await page.locator('main h1').waitFor();
    expect(await headerRows(page)).toHaveLength(1);
  });
});

/** Start → Call on /peer-connection/: a burst of a few dozen log lines in a second. */
async function peerConnectionFlow(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const call = page.getByRole('button', { name: 'Call', exact: true });
  await expect.poll(() => call.isEnabled(), { timeout: 20_000 }).toBe(true);
  await call.click();
  await waitForVideoPlaying(page.getByLabel('Remote video'), { label: 'Remote video' });
  await expect.poll(() => page.getByTestId('setup-time').innerText(), { timeout: 20_000 }).toMatch(/\d+ ms/);
}

async function expectCleanLog(page: Page): Promise<void> {
  const lines = await logLines(page);
  expect(lines.length).toBeGreaterThan(5);
  expect(repeatedLines(lines)).toEqual([]);
  expect(lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe('the event log follows the flow', () => {
  it('/peer-connection/ after Call: the last line ("Setup time") is in view, nothing repeats, nothing is an error', async () => {
    const { page, problems } = await suite.open('/peer-connection/', { context: { viewport: VIEWPORTS.desktop } });
    await peerConnectionFlow(page);
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  });

  it('/peer-connection/ when the reader scrolled up: stays put, offers "new lines ↓", which jumps to the newest', async () => {
    const { page } = await suite.open('/peer-connection/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const call = page.getByRole('button', { name: 'Call', exact: true });
    await expect.poll(() => call.isEnabled(), { timeout: 20_000 }).toBe(true);
    const log = page.getByRole('log');
    // Enough lines to scroll: Start logs a handful; Call adds dozens. Scroll up once there is room.
    await call.click();
    await expect.poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight + 40), { timeout: 20_000 }).toBe(true);
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: 'Hang Up', exact: true }).click();
    await expect.poll(async () => (await logView(page)).newLinesButton, { timeout: 10_000 }).toBe(true);
    expect(await log.evaluate((el) => el.scrollTop)).toBeLessThan(10);
    await page.getByRole('button', { name: /new lines? ↓/ }).click();
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
  });

  it('/data-channel/ after Start and Send: the received line is in view', async () => {
    const { page, problems } = await suite.open('/data-channel/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await expect.poll(() => send.isEnabled(), { timeout: 20_000 }).toBe(true);
    for (let i = 0; i < 8; i++) {
      // Different lengths: the log says "Sent N bytes", and eight identical lines would be noise.
      await page.getByLabel('Data to send').fill(`hello ${'!'.repeat(i)}`);
      await send.click();
    }
    await expect.poll(async () => ((await page.getByRole('log').innerText()).match(/Received \d+ bytes/g) ?? []).length, { timeout: 10_000 }).toBe(8);
    expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true });
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  });

  let firefox: Browser | undefined;
  afterAll(async () => {
    await firefox?.close();
  });

  it('in Firefox ESR too: /peer-connection/ after Call', async () => {
    firefox = await launchFirefox();
    const opened = await openPage(firefox, suite.workbench.urlFor('/peer-connection/'), { context: { viewport: VIEWPORTS.desktop } });
    try {
      await peerConnectionFlow(opened.page);
      expect(await waitForLogToFollow(opened.page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
      await expectCleanLog(opened.page);
    } finally {
      await opened.close();
    }
  }, 120_000);
});

// ---- The two-tab pages: the flow as two people see it ---------------------------------------

let roomCounter = 0;
function uniqueRoom(label: string): string {
  roomCounter += 1;
  return `newcomer-${label}-${process.pid}-${roomCounter}`;
}

/** Opens `path` counting its /api/ice-servers requests (from before the first navigation on). */
async function openCounting(path: string): Promise<{ member: OpenedPage; iceRequests: () => number; resetCount: () => void }> {
  let count = 0;
  const member = await suite.open(path, {
    context: { viewport: VIEWPORTS.desktop },
    beforeNavigate: (context) => {
      context.on('request', (request) => void (request.url().includes('/api/ice-servers') && (count += 1)));
    },
  });
  return { member, iceRequests: () => count, resetCount: () => void (count = 0) };
}

/**
 * Each event-log check of the issue, on one page: follows, no repeats within 1 s, no error lines,
 * no console errors. `startsAnew`: the line that begins a new connection's flow (see repeatedLines).
 */
async function expectCleanFlow(member: OpenedPage, who: string, startsAnew?: (line: LogLine) => boolean): Promise<void> {
  expect(await waitForLogToFollow(member.page), `${who}: the newest line is in view`).toMatchObject({ lastLineVisible: true, newLinesButton: false });
  const lines = await logLines(member.page);
  expect(lines.length, who).toBeGreaterThan(5);
  if (startsAnew) expect(lines.some(startsAnew), `${who}: the line a new flow starts at`).toBe(true);
  expect(repeatedLines(lines, 1_000, startsAnew), `${who}: lines repeated within a second`).toEqual([]);
  expect(lines.filter((line) => line.level === 'error'), `${who}: error lines`).toEqual([]);
  expect(member.problems(), who).toEqual([]);
}

/** The unreachable STUN server's lines: one per connection the page made, saying it is harmless, and no other wording. */
async function expectStunSaidOncePerConnection(member: OpenedPage, connections: number, who: string): Promise<void> {
  const all = await logLines(member.page);
  const lines = all.filter(isUnreachableStunLine);
  // The whole log in the failure message: how many connections the page made, and why, is there.
  const log = all.map((line) => `${line.atMs.toFixed(0)} ${line.source}: ${line.message.slice(0, 120)}`).join('\n');
  expect(lines.map((line) => `${line.source}: ${line.message}`), `${who}: the 701, once per connection; the log:\n${log}\n`).toHaveLength(connections);
  for (const line of lines) {
    expect(line.source).toBe('ice');
    expect(line.message).toMatch(/^ICE server stun:stun\.invalid:3478 unreachable \(701 .*\): harmless for a call on this machine or LAN/);
  }
}

async function expectPeerLeftAsStatus(page: Page, who: string): Promise<void> {
  await expect.poll(() => page.getByTestId('peer-note').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^The other person \(.+\) left room/);
  expect(await page.getByTestId('peer-note').getAttribute('role')).toBe('status');
  expect(await page.getByRole('alert').count(), `${who}: a peer leaving is no error panel`).toBe(0);
}

describe('the two-tab pages: logs, peers leaving, the STUN noise, /api/ice-servers', () => {
  it('/webcam/ after Start camera and Stop: the log follows, nothing repeats, nothing is an error', async () => {
    const member = await suite.open('/webcam/', { context: { viewport: VIEWPORTS.desktop } });
    await member.page.getByRole('button', { name: 'Start camera' }).click();
    await waitForVideoPlaying(member.page.locator('video').first(), { label: 'webcam' });
    await member.page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect.poll(() => member.page.getByRole('button', { name: 'Start camera' }).isEnabled()).toBe(true);
    await expectCleanFlow(member, '/webcam/');
  });

  it('/signaling/: Join, Send both ways, Leave; the one staying sees a status note, not an error', async () => {
    const room = uniqueRoom('signaling');
    const [first, second] = [await suite.open(`/signaling/?room=${room}`, { context: { viewport: VIEWPORTS.desktop } }), await suite.open(`/signaling/?room=${room}`, { context: { viewport: VIEWPORTS.desktop } })];
    for (const member of [first, second]) {
      await member.page.getByRole('button', { name: 'Join', exact: true }).click();
      await expect.poll(() => member.page.getByRole('button', { name: 'Leave', exact: true }).isEnabled(), { timeout: 10_000 }).toBe(true);
    }
    for (const [from, to, text] of [[first, second, 'hello'], [second, first, 'hi there']] as const) {
      const send = from.page.getByRole('button', { name: 'Send', exact: true });
      await expect.poll(() => send.isEnabled(), { timeout: 10_000 }).toBe(true);
      await from.page.getByLabel('Message').fill(text);
      await send.click();
      await expect.poll(() => to.page.getByRole('list', { name: 'Chat history' }).innerText(), { timeout: 10_000 }).toContain(text);
    }
    await second.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expectPeerLeftAsStatus(first.page, '/signaling/');
    // A text-only page: nothing about a call there.
    expect(await first.page.getByTestId('peer-note').innerText()).not.toMatch(/call/i);
    await expectCleanFlow(first, '/signaling/ (stayed)');
    await expectCleanFlow(second, '/signaling/ (left)');
  });

  it('/call/: both sides, a peer leaving and a rejoin after a reload; 701 once per connection; /api/ice-servers once per page load', async () => {
    const room = uniqueRoom('call');
    const first = await openCounting(`/call/?room=${room}`);
    const second = await openCounting(`/call/?room=${room}`);
    const status = (page: Page) => page.getByRole('status', { name: 'Call status' }).locator('strong').innerText();
    for (const { member } of [first, second]) {
      await member.page.getByRole('button', { name: 'Join', exact: true }).click();
      await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toMatch(/^(joining|not in a call)$/);
    }
    for (const { member } of [first, second]) await waitForVideoPlaying(member.page.getByLabel('Remote video'), { label: 'remote video', timeoutMs: 25_000 });
    expect([first.iceRequests(), second.iceRequests()], 'page load and Join share one fetch').toEqual([1, 1]);

    // The second tab reloads: it rejoins by itself as it loads (a second need at page start).
    second.resetCount();
    await second.member.page.reload();
    await expectPeerLeftAsStatus(first.member.page, '/call/');
    for (const { member } of [first, second]) await waitForVideoPlaying(member.page.getByLabel('Remote video'), { label: 'remote video after the rejoin', timeoutMs: 25_000 });
    await expect.poll(() => status(first.member.page), { timeout: 15_000 }).toBe('connected');
    expect(second.iceRequests(), 'the reloaded page: one fetch for its load and its rejoin').toBe(1);
    // The note goes once the call is back.
    expect(await first.member.page.getByTestId('peer-note').count()).toBe(0);

    // First page: its first connection, and the one it made for the rejoined peer.
    await expectStunSaidOncePerConnection(first.member, 2, '/call/ (stayed)');
    await expectStunSaidOncePerConnection(second.member, 1, '/call/ (reloaded)');
    // The rejoined peer's connection says the same steps again, maybe within a second of the first
    // connection's on a quick reload: its flow starts at the 'bye' line.
    await expectCleanFlow(first.member, '/call/ (stayed, after the rejoin)', (line) => /^bye: .* left room /.test(line.message));
    await expectCleanFlow(second.member, '/call/ (reloaded and rejoined)');
  }, 120_000);

  it('/photo/: a photo each way, then the sender hangs up mid-transfer: a status note and normal log lines on both sides', async () => {
    const room = uniqueRoom('photo');
    const first = await openCounting(`/photo/?room=${room}`);
    const second = await openCounting(`/photo/?room=${room}`);
    const channelOpen = (page: Page) => page.waitForFunction(() => (window as unknown as { dataChannel?: RTCDataChannel }).dataChannel?.readyState === 'open', undefined, { timeout: 20_000 });
    for (const { member } of [first, second]) await member.page.getByRole('button', { name: 'Join', exact: true }).click();
    await Promise.all([channelOpen(first.member.page), channelOpen(second.member.page)]);
    for (const [from, to] of [[first, second], [second, first]] as const) {
      await from.member.page.getByRole('button', { name: 'Snap & Send' }).click();
      await expect.poll(() => to.member.page.getByRole('log').innerText(), { timeout: 20_000 }).toMatch(/Received photo-1/);
    }
    expect([first.iceRequests(), second.iceRequests()]).toEqual([1, 1]);

    // A big transfer, and the sender hangs up in the middle of it.
    const sending = second.member.page.evaluate(() =>
      (window as unknown as { photoDebug: { sendPayload(size: number): Promise<unknown> } }).photoDebug.sendPayload(20_000_000).then(
        () => 'finished',
        (error: Error) => error.message,
      ),
    );
    const receiving = first.member.page.getByRole('progressbar', { name: 'Receive progress' });
    await expect.poll(() => receiving.evaluate((bar) => (bar as HTMLProgressElement).value), { timeout: 20_000 }).toBeGreaterThan(0);
    await second.member.page.getByRole('button', { name: 'Hang Up' }).click();
    expect(await sending).not.toBe('finished');
    await expectPeerLeftAsStatus(first.member.page, '/photo/');
    expect(await first.member.page.getByTestId('peer-note').innerText()).toMatch(/payload-1\.bin stopped after [\d.,]+ (kB|MB) of 20 MB/);
    const cutShort = (await logLines(first.member.page)).filter((line) => /payload-1\.bin|TRANSFER_/.test(line.message));
    expect(cutShort.length, 'the receiver says what happened to the transfer').toBeGreaterThan(0);
    expect(cutShort.filter((line) => line.level !== 'info'), 'a transfer cut short by the peer leaving is no warning or error').toEqual([]);

    await expectStunSaidOncePerConnection(second.member, 1, '/photo/ (hung up)');
    // The page that stayed starts a new connection for the next person (its early offer) as the
    // peer leaves, as /call/ does: on a fast machine that is within a second of the first one's lines.
    await expectCleanFlow(first.member, '/photo/ (stayed)', (line) => /^bye: .* left room /.test(line.message));
    await expectCleanFlow(second.member, '/photo/ (hung up mid-send)');
  }, 120_000);
});

it('the screenshots folder holds only this run\'s pictures (cleared at the start)', () => {
  const files = readdirSync(SCREENSHOTS, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  expect(files.length).toBeGreaterThan(0);
  const stale = files.map((entry) => join(entry.parentPath, entry.name)).filter((path) => statSync(path).mtimeMs < runStartedAt - 1_000);
  expect(stale).toEqual([]);
});
