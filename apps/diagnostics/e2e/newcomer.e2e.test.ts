// What a newcomer sees on every diagnostics page (issue 13), in real Chromium: at 1280×800 and
// 390×844, light and dark, nothing is cut off and the page never scrolls sideways, the first control
// is on the first phone screen, and a screenshot of each is saved under test-results/screenshots/.
// Then each tool's main flow: its event log follows the newest line, repeats no line within a
// second and shows no normal step as an error; the quality page says nothing about a bitrate cap
// nobody set, titles each chart's unit once and marks a cap, scale and codec change on the time
// axis; its room call says an unreachable STUN server once per connection and stops without a
// warning; the camera probe's results table and the ICE page's candidates table fit a laptop
// screen after a run; the audio page's log stays clean through Hear yourself, with one
// /api/ice-servers fetch. Screenshots are cleared at the start of each run.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  VIEWPORTS,
  clearScreenshots,
  clippedContent,
  cutTables,
  firstControl,
  headerRows,
  logLines,
  isUnreachableStunLine,
  repeatedLines,
  saveScreenshot,
  squeezedFacts,
  startCoturn,
  startWorkbench,
  waitForLogToFollow,
  type LogLine,
  type OpenedPage,
  type ViewportName,
} from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

// A STUN server whose lookup always fails (RFC 6761's .invalid), as the default Google STUN
// server's does on a machine without network: every gathering gets its 701.
const UNREACHABLE_STUN = 'stun:stun.invalid:3478';
const suite = pageSuite({ workbench: { iceServers: { stun: [UNREACHABLE_STUN] } } });
const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
// Pictures from an earlier run (of a page since fixed or renamed) would mislead: start empty.
const runStartedAt = Date.now();
beforeAll(() => clearScreenshots(SCREENSHOTS));
// The nav's list (packages/ui/src/pages.ts); the first test checks the nav lists no other page.
const PATHS = ['/diagnostics/', '/diagnostics/ice/', '/diagnostics/quality/', '/diagnostics/camera/', '/diagnostics/audio/'];

it('checks every page the diagnostics nav lists, named as their titles', async () => {
  const { page } = await suite.open('/diagnostics/');
  const nav = page.getByRole('navigation', { name: 'Diagnostics tools' });
  const navPaths = await nav.locator('a[href]').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(navPaths.filter((path) => path.startsWith('/diagnostics/'))).toEqual(PATHS);
  expect(await nav.getByRole('link', { name: 'ICE server test' }).count()).toBe(1);
  expect(await nav.getByRole('link', { name: 'Camera probe' }).count()).toBe(1);
});

describe.each(Object.keys(VIEWPORTS) as ViewportName[])('every diagnostics page at %s width', (viewportName) => {
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
      }
      const name = path === '/diagnostics/' ? 'home' : path.replace('/diagnostics/', '').replace(/\/$/, '');
      await saveScreenshot(page, SCREENSHOTS, `diagnostics-${name}-${viewport.width}-${colorScheme}`);
      expect(problems()).toEqual([]);
      await page.context().close();
    }
  });
});

/** `startsAnew`: the line a new connection's flow begins at, whose lines may repeat the last one's (see repeatedLines). */
async function expectCleanLog(page: Page, startsAnew?: (line: LogLine) => boolean): Promise<void> {
  expect(await waitForLogToFollow(page)).toMatchObject({ lastLineVisible: true, newLinesButton: false });
  const lines = await logLines(page);
  expect(lines.length).toBeGreaterThan(2);
  if (startsAnew) expect(lines.some(startsAnew), 'the line a new flow starts at').toBe(true);
  expect(repeatedLines(lines, 1_000, startsAnew)).toEqual([]);
  expect(lines.filter((line) => line.level === 'error')).toEqual([]);
}

describe('every diagnostics page at phone width in Chinese (?lang=zh)', () => {
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
    const name = path === '/diagnostics/' ? 'home' : path.replace('/diagnostics/', '').replace(/\/$/, '');
    await saveScreenshot(page, SCREENSHOTS, `diagnostics-${name}-${viewport.width}-zh`);
    expect(problems()).toEqual([]);
  });
});

describe('each tool after its main flow', () => {
  it('/diagnostics/quality/: Start, a cap, a scale, a codec, Stop; the log follows, no "cap removed" at Start, units once, each change on the time axis', async () => {
    const { page, problems } = await suite.open('/diagnostics/quality/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.locator('[data-chart-latest="bitrate"]').innerText(), { timeout: 30_000 }).toMatch(/Video out \d/);
    const log = page.getByRole('log');
    expect(await log.innerText()).not.toContain('Bitrate cap removed');
    await page.getByLabel('Bitrate cap (kbps)').fill('300');
    // Enter commits the value as a person would; a later blur then fires no second change.
    await page.getByLabel('Bitrate cap (kbps)').press('Enter');
    await expect.poll(() => log.innerText(), { timeout: 10_000 }).toContain('maxBitrate: 300000');
    const events = page.getByRole('region', { name: 'Timeline events' });
    await expect.poll(() => events.innerText(), { timeout: 10_000 }).toContain('Bitrate cap set to 300 kbps');
    await page.getByLabel('Resolution scale').selectOption('2');
    await expect.poll(() => events.innerText(), { timeout: 10_000 }).toContain('scaleResolutionDownBy = 2');
    const codec = await page.getByLabel('Codec').locator('option').evaluateAll((options) => (options as HTMLOptionElement[]).map((o) => o.value).find((v) => v === 'video/VP9') ?? (options[1] as HTMLOptionElement).value);
    await page.getByLabel('Codec').selectOption(codec);
    await expect.poll(() => events.innerText(), { timeout: 20_000 }).toContain(`Codec preference set to ${codec}`);
    // The marks the charts draw on their time axis: one per change.
    const marks = await page.evaluate(() => {
      const charts = (window as unknown as { quality: { charts: Record<string, { options: { plugins?: { qualityTimeline?: { marks: { kind: string; label: string }[] } } } }> } }).quality.charts;
      return Object.fromEntries(Object.entries(charts).map(([name, chart]) => [name, (chart.options.plugins?.qualityTimeline?.marks ?? []).filter((m) => m.kind === 'control').map((m) => m.label)]));
    });
    expect(Object.keys(marks).length).toBeGreaterThan(3);
    for (const [name, labels] of Object.entries(marks)) expect(labels, `${name} chart`).toEqual(['cap 300 kbps', 'scale ÷2', `codec ${codec.replace(/^video\//, '')}`]);
    const titles = await page.locator('.chart h3').allInnerTexts();
    expect(titles.filter((title) => /\(.*\(|\(([^)]+)\).*\(\1\)/.test(title) || /MOS.*\(MOS\)/.test(title))).toEqual([]);
    expect(await page.getByText('see the formula below').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Timeline events' }).innerText()).not.toMatch(/-\d+\.\d s/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  }, 90_000);

  it('/diagnostics/camera/: after a quick scan the log follows and the results table fits 1280 px', async () => {
    const { page, problems } = await suite.open('/diagnostics/camera/', { context: { viewport: VIEWPORTS.desktop } });
    await page.getByRole('button', { name: 'Quick scan', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Quick scan', exact: true }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.getByRole('region', { name: 'Results table' }).locator('tbody tr').count()).toBeGreaterThan(3);
    expect(await cutTables(page), 'the Reason column was cut off at 1280 px').toEqual([]);
    expect(await clippedContent(page)).toEqual([]);
    await saveScreenshot(page, SCREENSHOTS, 'diagnostics/camera-after-scan-1280');
    await expectCleanLog(page);
    expect(problems()).toEqual([]);
  }, 120_000);
});

/** Opens `path` (or a full URL) at 1280 px, counting its /api/ice-servers requests from the first navigation on. */
async function openCounting(pathOrUrl: string): Promise<{ member: OpenedPage; iceRequests: () => number }> {
  let count = 0;
  const member = await suite.open(pathOrUrl, {
    context: { viewport: VIEWPORTS.desktop },
    beforeNavigate: (context) => {
      context.on('request', (request) => void (request.url().includes('/api/ice-servers') && (count += 1)));
    },
  });
  return { member, iceRequests: () => count };
}

/** The unreachable STUN server's lines (see isUnreachableStunLine). */
async function stunLines(page: Page): Promise<string[]> {
  return (await logLines(page)).filter(isUnreachableStunLine).map((line) => `${line.level} ${line.source}: ${line.message}`);
}

describe('each tool after its main flow, continued', () => {
  it('/diagnostics/quality/ room call: the unreachable STUN server said once per connection; a codec change marked; Stop and the peer leaving log no warning', async () => {
    const room = `newcomer-quality-${process.pid}`;
    const first = await openCounting(`/diagnostics/quality/?room=${room}`);
    const second = await openCounting(`/diagnostics/quality/?room=${room}`);
    await first.member.page.getByRole('button', { name: 'Join room' }).click();
    await expect.poll(() => first.member.page.getByText('waiting for a peer').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await second.member.page.getByRole('button', { name: 'Join room' }).click();
    for (const { member } of [first, second]) {
      await expect.poll(() => member.page.evaluate(() => (window as unknown as { pc?: RTCPeerConnection }).pc?.connectionState), { timeout: 45_000 }).toBe('connected');
    }
    // A codec change in a room call applies at the next negotiation, but it is the reader's change: on the time axis now.
    const codecSelect = first.member.page.getByLabel('Codec');
    const codec = await codecSelect.locator('option').evaluateAll((options) => (options[1] as HTMLOptionElement).value);
    await codecSelect.selectOption(codec);
    await expect.poll(() => first.member.page.getByRole('region', { name: 'Timeline events' }).innerText(), { timeout: 10_000 }).toContain(`Codec preference set to ${codec}`);
    await second.member.page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => first.member.page.getByText('peer left — waiting for a peer').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The first page: its call's connection, and the fresh one it made for the next peer.
    await expect.poll(() => stunLines(first.member.page), { timeout: 10_000 }).toHaveLength(2);
    for (const { member, iceRequests } of [first, second]) {
      const lines = await stunLines(member.page);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^warn ice: ICE server stun:stun\.invalid:3478 unreachable \(701 .*\): harmless for a call on this machine or LAN/);
      expect(iceRequests()).toBe(1);
    }
    expect(await stunLines(second.member.page)).toHaveLength(1);
    // The first page starts a fresh connection for the next peer as the second leaves: on a quick
    // machine that is within a second of the first connection's own lines, so it counts anew there.
    const peerLeft = (line: LogLine) => /: peer left — waiting for a peer\.$/.test(line.message);
    for (const { member } of [first, second]) {
      const lines = await logLines(member.page);
      expect(lines.filter((line) => line.level !== 'info' && !/stun\.invalid/.test(line.message)), 'warnings and errors besides the 701').toEqual([]);
      await expectCleanLog(member.page, member === first.member ? peerLeft : undefined);
      expect(member.problems()).toEqual([]);
    }
  }, 150_000);

  it('/diagnostics/ice/ after a run with STUN and TURN: the candidates table fits 1280 px, nothing cut off, the log is clean', async () => {
    const secret = 'newcomer-ice-secret';
    const coturn = await startCoturn({ authSecret: secret });
    const workbench = await startWorkbench({ iceServers: { stun: [coturn.stunUrl], turn: { urls: [coturn.turnUdpUrl, coturn.turnTcpUrl], secret, ttlSeconds: 600 } } });
    try {
      const { member, iceRequests } = await openCounting(workbench.urlFor('/diagnostics/ice/'));
      const { page } = member;
      await page.getByRole('button', { name: "Use the server's configuration" }).click();
      await expect.poll(() => page.getByRole('log').innerText()).toContain('Loaded 3 server URLs');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.waitForFunction(() => (window as unknown as { iceRun?: { phase: string } }).iceRun?.phase === 'done', null, { timeout: 60_000 });
      await expect.poll(() => page.locator('tr[data-candidate-type="relay"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await cutTables(page), 'every candidates column (Server URL, Relay protocol) in view at 1280 px').toEqual([]);
      expect(await clippedContent(page)).toEqual([]);
      await saveScreenshot(page, SCREENSHOTS, 'diagnostics-ice-after-run-1280');
      expect(iceRequests(), 'one fetch, for the one click').toBe(1);
      await expectCleanLog(page);
      expect(member.problems()).toEqual([]);
    } finally {
      await workbench.close();
      await coturn.stop();
    }
  }, 120_000);

  it('/diagnostics/audio/: Start microphone, Hear yourself, Stop; the log is clean and /api/ice-servers is fetched once', async () => {
    const { member, iceRequests } = await openCounting('/diagnostics/audio/');
    const { page } = member;
    await page.getByRole('button', { name: 'Start microphone' }).click();
    const hear = page.getByRole('button', { name: 'Hear yourself' });
    await expect.poll(() => hear.isEnabled(), { timeout: 20_000 }).toBe(true);
    await hear.click();
    await page.waitForFunction(() => ((window as unknown as { audioCheck?: { hear: { totalDelays: number[] } | null } }).audioCheck?.hear?.totalDelays.length ?? 0) >= 1, undefined, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Stop' }).last().click();
    await expect.poll(() => page.getByRole('log').innerText()).toContain('Hear yourself stopped');
    expect(iceRequests(), 'the page load and Hear yourself share one fetch').toBe(1);
    await expectCleanLog(page);
    expect(member.problems()).toEqual([]);
  }, 120_000);
});

it("the screenshots folder holds only this run's pictures (cleared at the start)", () => {
  const files = readdirSync(SCREENSHOTS, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  expect(files.length).toBeGreaterThan(0);
  const stale = files.map((entry) => join(entry.parentPath, entry.name)).filter((path) => statSync(path).mtimeMs < runStartedAt - 1_000);
  expect(stale).toEqual([]);
});
