// The audio half of /diagnostics/quality/ in real Chromium (fake camera and microphone): during a
// loopback call the audio charts (level, concealment, jitter buffer, playout adjustments) hold data,
// the audio codec and per-direction scores are shown, and replacing the sender's audio track mid-call
// leaves every audio series non-negative and unbroken (no negative rate, no sawtooth).
import { launchChromium, openPage, startWorkbench, type OpenedPage, type Workbench } from '@workbench/testing';
import type { StatsSample } from '@workbench/core/stats';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../src/pages/quality/live-objects.js';

let workbench: Workbench;
let browser: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  workbench = await startWorkbench();
  browser = await launchChromium();
}, 120_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await browser?.close();
  await workbench?.close();
});

function samples(page: Page): Promise<StatsSample[]> {
  return page.evaluate(() => [...(window.samples ?? [])]);
}

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

/** Samples with an interval figure for inbound audio (the first has none). */
async function audioIntervals(page: Page): Promise<number> {
  return (await samples(page)).filter((s) => s.inbound.audio?.concealedPercent !== undefined).length;
}

describe('/diagnostics/quality/ audio', { timeout: 180_000 }, () => {
  it('charts the received audio during a loopback call, with the codec and a score per direction', async () => {
    const opening = await openPage(browser, workbench.urlFor('/diagnostics/quality/'));
    opened.push(opening);
    const { page, problems } = opening;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => audioIntervals(page), { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(5);

    const level = await chartLine(page, 'audio-level', 'Audio level in');
    // Chromium's fake microphone beeps: the received level is reported, in dBFS (≤ 0).
    expect(level.some((y) => y !== null)).toBe(true);
    expect(level.every((y) => y === null || y <= 0)).toBe(true);
    const jitterBuffer = await chartLine(page, 'audio-jitter-buffer', 'Jitter buffer delay');
    expect(jitterBuffer.some((y) => (y ?? 0) > 0)).toBe(true);
    const concealed = await chartLine(page, 'audio-concealment', 'Concealed samples');
    expect(concealed.some((y) => y !== null)).toBe(true);
    for (const [chart, line] of [
      ['audio-playout', 'Inserted (deceleration)'],
      ['audio-playout', 'Removed (acceleration)'],
      ['audio-playout', 'Packets discarded'],
      ['audio-concealment', 'Concealment events'],
    ] as const) {
      expect((await chartLine(page, chart, line)).some((y) => y !== null), `${chart} / ${line}`).toBe(true);
    }
    await expect.poll(() => page.getByTestId('audio-codec').innerText()).toMatch(/received audio\/opus/);
    await expect.poll(() => page.getByTestId('stream-scores').innerText(), { timeout: 30_000 }).toMatch(/Received audio[\s\S]*Pulled down most by|Pulled down most by[\s\S]*Received audio/);
    expect(problems()).toEqual([]);
  });

  it('replacing the sender\'s audio track mid-call leaves no negative rate and no break in the series', async () => {
    const opening = await openPage(browser, workbench.urlFor('/diagnostics/quality/'));
    opened.push(opening);
    const { page, problems } = opening;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => audioIntervals(page), { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const before = (await samples(page)).length;
    // A different source for the same sender: an oscillator, as a person switching microphones.
    await page.evaluate(async () => {
      const sender = window.pc1?.getSenders().find((s) => s.track?.kind === 'audio');
      if (!sender) throw new Error('pc1 has no audio sender');
      const context = new AudioContext();
      const oscillator = context.createOscillator();
      const destination = context.createMediaStreamDestination();
      oscillator.connect(destination);
      oscillator.start();
      await sender.replaceTrack(null);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await sender.replaceTrack(destination.stream.getAudioTracks()[0] ?? null);
    });
    await expect.poll(async () => (await samples(page)).length - before, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(6);

    const all = await samples(page);
    const after = all.slice(before);
    for (const sample of all) {
      const audio = sample.inbound.audio;
      for (const value of [
        sample.outbound.audio?.bitrate,
        audio?.bitrate,
        audio?.concealedPercent,
        audio?.concealmentEventsDelta,
        audio?.insertedPercent,
        audio?.removedPercent,
        audio?.packetsDiscardedDelta,
        audio?.jitterBufferDelayInterval,
      ]) {
        if (value !== undefined) expect(value).toBeGreaterThanOrEqual(0);
      }
    }
    // The series continues: every sample after the replacement has the audio figures, and audio flows again.
    expect(after.every((s) => s.inbound.audio?.bitrate !== undefined && s.outbound.audio?.bitrate !== undefined)).toBe(true);
    expect(after.slice(-2).every((s) => (s.inbound.audio?.bitrate ?? 0) > 0)).toBe(true);
    // What the charts draw for it, too.
    const concealed = await chartLine(page, 'audio-concealment', 'Concealed samples');
    expect(concealed.every((y) => y === null || (y >= 0 && y <= 100))).toBe(true);
    expect(problems()).toEqual([]);
  });
});
