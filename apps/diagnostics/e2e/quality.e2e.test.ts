// /diagnostics/quality/ in real Chromium with its fake camera: a loopback call charted for 10+ s,
// the bitrate cap lowering the measured bitrate, relay-only through a real coturn, the ring
// buffer at its bound, a dump that chrome://webrtc-internals itself wrote for a call imported and
// charted, a legacy dump refused, exports, and axe on the page in use.
import { readFile } from 'node:fs/promises';

import {
  axeFindings,
  launchChromium,
  openPage,
  startCoturn,
  startWorkbench,
  type CoturnServer,
  type OpenedPage,
  type Workbench,
} from '@workbench/testing';
import type { StatsSample } from '@workbench/core/stats';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// The page's window.pc1, window.samples, window.quality, typed for the page.evaluate callbacks.
import type {} from '../src/pages/quality/live-objects.js';

const TURN_SECRET = 'quality-e2e-secret';

let coturn: CoturnServer;
let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  coturn = await startCoturn({ authSecret: TURN_SECRET });
  workbench = await startWorkbench({ iceServers: { turn: { urls: [coturn.turnUdpUrl], secret: TURN_SECRET } } });
  browser = await launchChromium();
}, 120_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
  await coturn?.stop();
});

async function openQuality(query = ''): Promise<OpenedPage> {
  const opening = await openPage(browser, workbench.urlFor(`/diagnostics/quality/${query}`));
  opened.push(opening);
  await opening.page.getByRole('button', { name: 'Start', exact: true }).waitFor();
  return opening;
}

function samples(page: Page): Promise<StatsSample[]> {
  return page.evaluate(() => [...(window.samples ?? [])]);
}

/** The y values of one chart line, by its legend label, as chart.js holds them. */
function chartLine(page: Page, chart: string, label: string): Promise<(number | null)[]> {
  return page.evaluate(
    ([chartId, lineLabel]) => {
      const found = window.quality?.charts[chartId]?.data.datasets.find((dataset) => dataset.label === lineLabel);
      if (!found) throw new Error(`chart ${chartId} has no line "${lineLabel}"`);
      return found.data.map((point) => point.y);
    },
    [chart, label] as const,
  );
}

/** Median video-out bitrate (kbps) of the last `n` samples that have one. */
async function recentVideoOutKbps(page: Page, n = 3): Promise<number> {
  const values = (await samples(page))
    .map((s) => s.outbound.video?.bitrate)
    .filter((v): v is number => v !== undefined)
    .slice(-n)
    .sort((a, b) => a - b);
  return values.length < n ? 0 : (values[Math.floor(n / 2)] ?? 0) / 1000;
}

// Calls need a few seconds to ramp up, more on a loaded 2-core machine.
describe('/diagnostics/quality/ loopback call', { timeout: 150_000 }, () => {
  it('charts a call of 10+ seconds: non-zero bitrate, the received resolution, the selected pair', async () => {
    const { page, problems } = await openQuality();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // Seconds of call between the first and the newest sample, by the stats clock.
    const span = () => page.evaluate(() => ((window.samples?.at(-1)?.timestamp ?? 0) - (window.samples?.[0]?.timestamp ?? 0)) / 1000);
    await expect.poll(span, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(10);

    const all = await samples(page);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.some((s) => (s.outbound.video?.bitrate ?? 0) > 0)).toBe(true);
    expect(all.some((s) => (s.inbound.video?.bitrate ?? 0) > 0)).toBe(true);
    // Chromium's fake camera captures 640×480 by default; the receiver decodes what was sent.
    const last = all.at(-1);
    expect(last?.inbound.video).toMatchObject({ frameWidth: 640, frameHeight: 480 });
    expect(last?.candidatePair).toMatchObject({ localType: 'host', remoteType: 'host' });

    // What the charts themselves hold, not only the samples behind them.
    expect((await chartLine(page, 'bitrate', 'Video out')).some((y) => (y ?? 0) > 0)).toBe(true);
    expect((await chartLine(page, 'bitrate', 'Video in')).some((y) => (y ?? 0) > 0)).toBe(true);
    expect(await chartLine(page, 'resolution', 'Received height')).toContain(480);
    expect((await chartLine(page, 'available', 'Available outgoing')).some((y) => (y ?? 0) > 0)).toBe(true);
    expect((await chartLine(page, 'rtt', 'Round-trip time')).some((y) => y !== null)).toBe(true);
    expect((await chartLine(page, 'mos', 'MOS (E-model)')).some((y) => (y ?? 0) > 4)).toBe(true);
    await expect.poll(() => page.getByTestId('received').innerText()).toContain('640×480');
    await expect.poll(() => page.getByTestId('mos-value').innerText()).toMatch(/^MOS [1-4]\.\d\d$/);

    const events = await page.evaluate(() => window.quality?.timeline.events().map((e) => e.label) ?? []);
    expect(events).toEqual(expect.arrayContaining(['pc connected', 'pair host→host', 'received 640×480']));
    // The list under the charts reads in time order, state changes and sampled events merged.
    const times = await page.evaluate(() => window.quality?.timeline.events().map((e) => e.at) ?? []);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await page.evaluate(() => window.pc1?.connectionState)).toBe('connected');

    await page.getByRole('button', { name: 'Stop' }).click();
    expect(await page.evaluate(() => window.pc1)).toBeUndefined();
    expect(problems()).toEqual([]);
  });

  it('lowering the bitrate cap lowers the measured outbound bitrate', async () => {
    const { page, problems } = await openQuality();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // Wait for the congestion controller to ramp up past what the cap will allow.
    await expect.poll(() => recentVideoOutKbps(page), { timeout: 45_000, interval: 500 }).toBeGreaterThan(250);
    const before = await recentVideoOutKbps(page);

    const cap = page.getByLabel('Bitrate cap (kbps)');
    await cap.fill('80');
    await cap.blur();
    const maxBitrate = () => page.evaluate(() => window.pc1?.getSenders().find((s) => s.track?.kind === 'video')?.getParameters().encodings[0]?.maxBitrate);
    await expect.poll(maxBitrate, { timeout: 10_000 }).toBe(80_000);
    // A change event for the value the sender already has (committed again) is neither applied nor
    // logged a second time, nor marked twice on the charts' time axis.
    await cap.dispatchEvent('change');
    const controlMarks = await page.evaluate(() => window.quality?.timeline.events().filter((e) => e.kind === 'control').map((e) => e.label) ?? []);
    expect(controlMarks).toEqual(['cap 80 kbps']);
    const logText = await page.getByRole('log', { name: 'Event log' }).innerText();
    expect(logText.match(/Bitrate cap: sender\.setParameters/g)).toHaveLength(1);

    // The encoder aims under the cap within a few seconds; RTP overhead lets a sample sit a little above it.
    await expect.poll(() => recentVideoOutKbps(page), { timeout: 30_000, interval: 500 }).toBeLessThan(120);
    const after = await recentVideoOutKbps(page);
    expect(after).toBeLessThan(before / 2);
    // The chart shows the drop too: the median of its last three points is under the cap's range.
    const charted = (await chartLine(page, 'bitrate', 'Video out')).slice(-3).map((y) => y ?? Infinity).sort((a, b) => a - b);
    expect(charted[1]).toBeLessThan(120);
    expect(problems()).toEqual([]);
  });

  it('relay only goes through the real coturn: the selected pair is relay', async () => {
    const { page, problems } = await openQuality();
    await page.getByLabel('Relay only (TURN)').check();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByTestId('pair').innerText(), { timeout: 45_000, interval: 500 }).toContain('relay → relay');
    const pair = (await samples(page)).at(-1)?.candidatePair;
    expect(pair, coturn.log().slice(-2000)).toMatchObject({ localType: 'relay', remoteType: 'relay', relayProtocol: 'udp' });
    expect(pair?.local).toMatch(/^127\.0\.0\.1:\d+$/);
    const events = await page.evaluate(() => window.quality?.timeline.events().map((e) => e.label) ?? []);
    expect(events).toContain('pair relay→relay');
    expect(await page.evaluate(() => window.pc1?.getConfiguration().iceTransportPolicy)).toBe('relay');
    expect(problems()).toEqual([]);
  });

  it('keeps the samples at the ring buffer bound: a 5 s window polled every 200 ms holds 25', async () => {
    const { page, problems } = await openQuality('?interval=200');
    const windowInput = page.getByLabel('Window (s)');
    await windowInput.fill('5');
    await windowInput.blur();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.evaluate(() => window.quality?.timeline.capacity), { timeout: 5_000 }).toBe(25);
    await expect.poll(() => page.evaluate(() => window.samples?.length ?? 0), { timeout: 45_000, interval: 250 }).toBe(25);
    const firstOldest = (await samples(page))[0]?.timestamp ?? 0;
    // Some 20 polls later: still 25, the oldest has moved on, and every chart line holds 25 points.
    await expect.poll(async () => (await samples(page))[0]?.timestamp ?? 0, { timeout: 30_000, interval: 250 }).toBeGreaterThan(firstOldest + 2_000);
    const later = await samples(page);
    expect(later).toHaveLength(25);
    expect(later[0]?.timestamp ?? 0).toBeGreaterThan(firstOldest + 2_000);
    expect(await chartLine(page, 'bitrate', 'Video out')).toHaveLength(25);
    expect(await chartLine(page, 'fps', 'Received')).toHaveLength(25);
    const oldest = later[0]?.timestamp ?? 0;
    const events = await page.evaluate(() => window.quality?.timeline.events().map((e) => e.at) ?? []);
    expect(events.every((at) => at >= oldest)).toBe(true);
    expect(problems()).toEqual([]);
  });
});

// Calls need a few seconds to ramp up, more on a loaded 2-core machine.
describe('/diagnostics/quality/ room call', { timeout: 150_000 }, () => {
  it('two pages in one ?room= call each other through the signaling server and chart both directions', async () => {
    const room = `quality-e2e-${Date.now().toString(36)}`;
    const first = await openQuality(`?room=${room}`);
    const second = await openQuality(`?room=${room}`);
    expect(await first.page.getByLabel('Room').inputValue()).toBe(room);
    await first.page.getByRole('button', { name: 'Join room' }).click();
    await expect.poll(() => first.page.getByText('waiting for a peer').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await second.page.getByRole('button', { name: 'Join room' }).click();

    for (const { page } of [first, second]) {
      const flowing = async () => (await samples(page)).some((s) => (s.inbound.video?.bitrate ?? 0) > 0 && (s.outbound.video?.bitrate ?? 0) > 0);
      await expect.poll(flowing, { timeout: 45_000, interval: 500 }).toBe(true).catch(async (error: unknown) => {
        // Both pages' event logs say where the call stopped (signaling, negotiation or ICE).
        const logs = await Promise.all([first, second].map((p) => p.page.locator('[role=log]').innerText()));
        throw new Error(`media did not flow both ways:\n--- first ---\n${logs[0]}\n--- second ---\n${logs[1]}`, { cause: error });
      });
      expect(await page.evaluate(() => window.pc?.connectionState)).toBe('connected');
      expect((await chartLine(page, 'bitrate', 'Video in')).some((y) => (y ?? 0) > 0)).toBe(true);
    }

    // The other side leaving closes this side's connection; the page waits for the next peer (with
    // a fresh connection of its own, for the early offer, so window.pc is no longer the call's).
    const callPc = await first.page.evaluateHandle(() => window.pc);
    await second.page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => first.page.getByText('peer left — waiting for a peer').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => callPc.evaluate((pc) => pc?.connectionState), { timeout: 10_000 }).toBe('closed');
    expect(first.problems()).toEqual([]);
    expect(second.problems()).toEqual([]);
  });
});

describe('/diagnostics/quality/ dumps and exports', { timeout: 150_000 }, () => {
  it('imports and charts the dump chrome://webrtc-internals wrote for a real call, and exports it', async () => {
    const opening = await openQuality();
    const { page, context, problems } = opening;
    // webrtc-internals records the connections created while it is open: open it first.
    const internals = await context.newPage();
    await internals.goto('chrome://webrtc-internals');
    await page.bringToFront();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.evaluate(() => window.samples?.length ?? 0), { timeout: 45_000, interval: 500 }).toBeGreaterThanOrEqual(7);

    await internals.getByText('Create a WebRTC-Internals dump').click();
    const [download] = await Promise.all([internals.waitForEvent('download'), internals.getByRole('button', { name: /Download the "webrtc-internals dump"/ }).click()]);
    const dumpPath = await download.path();
    await internals.close();
    await page.getByRole('button', { name: 'Stop' }).click();
    const dumpBytes = await readFile(dumpPath);
    expect([dumpBytes[0], dumpBytes[1]]).toEqual([0x1f, 0x8b]); // "Compress result" is on by default

    await page.getByLabel('Import dump').setInputFiles({ name: 'webrtc_internals_dump.gz', mimeType: 'application/gzip', buffer: dumpBytes });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Showing peer connection' }).innerText(), { timeout: 15_000 }).toMatch(/samples/);
    const status = await page.getByRole('status').filter({ hasText: 'Showing peer connection' }).innerText();
    const shown = Number(/: (\d+) samples/.exec(status)?.[1]);
    expect(shown).toBeGreaterThanOrEqual(5);

    const imported = await samples(page);
    expect(imported).toHaveLength(shown);
    // The sending connection (pc1) is shown: its outbound video had bitrate, at the fake camera's size.
    expect(imported.some((s) => (s.outbound.video?.bitrate ?? 0) > 0)).toBe(true);
    expect(imported.at(-1)?.outbound.video).toMatchObject({ frameWidth: 640, frameHeight: 480, codec: 'video/VP8' });
    expect(imported.at(-1)?.candidatePair?.localType).toBe('host');
    expect((await chartLine(page, 'bitrate', 'Video out')).some((y) => (y ?? 0) > 0)).toBe(true);
    expect(await chartLine(page, 'resolution', 'Sent height')).toContain(480);
    const events = await page.evaluate(() => window.quality?.timeline.events().map((e) => e.label) ?? []);
    expect(events).toEqual(expect.arrayContaining(['pc connected', 'sent 640×480']));
    // Two connections in the dump (pc1 and pc2): the other is one choice away.
    await expect(page.getByLabel('Peer connection').locator('option').count()).resolves.toBe(2);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = await readFile(await csv.path(), 'utf8');
    const lines = csvText.trim().split('\r\n');
    expect(lines[0]).toMatch(/^time_s,timestamp_ms,video_out_kbps,/);
    expect(lines).toHaveLength(shown + 1);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8')) as { format: string; samples: unknown[]; source: string };
    expect(exported).toMatchObject({ format: 'webrtc-workbench/quality', source: expect.stringContaining('import webrtc_internals_dump.gz') });
    expect(exported.samples).toHaveLength(shown);
    expect(problems()).toEqual([]);
  });

  it('refuses a legacy getStats() dump with a "not supported" explanation', async () => {
    const { page } = await openQuality();
    const legacy = {
      getUserMedia: [],
      PeerConnections: {
        '5-1': {
          stats: {
            'ssrc_1234_send-googFrameWidthSent': { startTime: '2020-01-01T00:00:00.000Z', endTime: '2020-01-01T00:00:01.000Z', statsType: 'ssrc', values: '[640,640]' },
            'bweforvideo-googAvailableSendBandwidth': { startTime: '2020-01-01T00:00:00.000Z', endTime: '2020-01-01T00:00:01.000Z', statsType: 'VideoBwe', values: '["300000","300000"]' },
          },
          updateLog: [],
        },
      },
    };
    await page.getByLabel('Import dump').setInputFiles({ name: 'old-dump.txt', mimeType: 'text/plain', buffer: Buffer.from(JSON.stringify(legacy)) });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('Dump format not supported');
    const text = await alert.innerText();
    expect(text).toContain('legacy getStats()');
    expect(text).toContain('not support');
    expect(text).toContain('UNSUPPORTED');
    expect(await page.evaluate(() => window.samples?.length)).toBe(0);
  });
});

// Calls need a few seconds to ramp up, more on a loaded 2-core machine.
describe('/diagnostics/quality/ accessibility', { timeout: 150_000 }, () => {
  it.each(['light', 'dark'] as const)('has no serious or critical axe violations with a call running (%s scheme)', async (colorScheme) => {
    const opening = await openPage(browser, workbench.urlFor('/diagnostics/quality/'), { context: { colorScheme } });
    opened.push(opening);
    const { page } = opening;
    await page.getByLabel('Video source').selectOption('pattern');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.evaluate(() => window.samples?.length ?? 0), { timeout: 45_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const { report } = await axeFindings(page, `/diagnostics/quality/ with a call running (${colorScheme})`);
    expect(report).toBe('');
  });
});
