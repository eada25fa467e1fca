import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium, launchFirefox } from './browsers.js';
import { FIXTURES } from './fixtures.js';
import { openPage, waitForVideoPlaying, type OpenedPage } from './pages.js';
import { makeTempDir } from './processes.js';
import { startWorkbench, type Workbench } from './workbench.js';

let workbench: Workbench;
beforeAll(async () => {
  workbench = await startWorkbench({ staticRoots: { steps: FIXTURES.harnessPage, diagnostics: FIXTURES.harnessPage } });
});
afterAll(() => workbench?.close());

/** getUserMedia in the page; reports the tracks it got, and shows the video in the fixture's <video>. */
function captureInPage(page: Page): Promise<{ kind: string; readyState: string; enabled: boolean }[]> {
  return page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    const video = document.querySelector('video');
    if (video) video.srcObject = stream;
    return stream.getTracks().map((t) => ({ kind: t.kind, readyState: t.readyState, enabled: t.enabled }));
  });
}

/**
 * Two peer connections in one page connected to each other, the fake camera sent from one to the
 * other: proves WebRTC itself (ICE on this machine's interfaces, DTLS, decoding) works in this browser.
 */
function loopbackCallInPage(page: Page): Promise<{ connectionState: string; remoteWidth: number }> {
  return page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const caller = new RTCPeerConnection();
    const callee = new RTCPeerConnection();
    caller.onicecandidate = (e) => void (e.candidate && callee.addIceCandidate(e.candidate));
    callee.onicecandidate = (e) => void (e.candidate && caller.addIceCandidate(e.candidate));
    const remote = new Promise<MediaStream>((resolve) => {
      callee.ontrack = (e) => resolve(e.streams[0] ?? new MediaStream([e.track]));
    });
    for (const track of stream.getTracks()) caller.addTrack(track, stream);
    await caller.setLocalDescription();
    await callee.setRemoteDescription(caller.localDescription!);
    await callee.setLocalDescription();
    await caller.setRemoteDescription(callee.localDescription!);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = await remote;
    // Not awaited: play() only settles once frames arrive, and the deadline below must still apply when none do.
    video.play().catch(() => undefined);
    const deadline = Date.now() + 15_000;
    while ((video.videoWidth === 0 || callee.connectionState !== 'connected') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = { connectionState: callee.connectionState, remoteWidth: video.videoWidth };
    caller.close();
    callee.close();
    for (const track of stream.getTracks()) track.stop();
    return result;
  });
}

describe.each([
  { name: 'Chromium', launch: () => launchChromium() },
  { name: 'Firefox ESR', launch: () => launchFirefox() },
])('$name launched by the harness', ({ launch }) => {
  let browser: Browser;
  let opened: OpenedPage;
  beforeAll(async () => {
    browser = await launch();
    opened = await openPage(browser, workbench.urlFor('/'));
  });
  afterAll(async () => {
    await opened?.close();
    await browser?.close();
  });

  it('opens a page served by the workbench server in a secure context', async () => {
    expect(await opened.page.title()).toBe('Harness page');
    expect(await opened.page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(await opened.page.evaluate(() => typeof RTCPeerConnection)).toBe('function');
  });

  it('gets live fake camera and microphone tracks without a prompt, and the video plays', async () => {
    const tracks = await captureInPage(opened.page);
    expect(tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(tracks.every((t) => t.readyState === 'live' && t.enabled)).toBe(true);
    const state = await waitForVideoPlaying(opened.page.getByLabel('Test video'));
    expect(state.videoWidth).toBeGreaterThan(0);
  });

  it('connects two peer connections in the page and decodes the video sent between them', async () => {
    const result = await loopbackCallInPage(opened.page);
    expect(result).toEqual({ connectionState: 'connected', remoteWidth: expect.any(Number) });
    expect(result.remoteWidth).toBeGreaterThan(0);
  });

  it('records page errors and console errors for the test to assert on', async () => {
    expect(opened.problems()).toEqual([]);
    await opened.page.evaluate(() => {
      console.error('deliberate console error');
      setTimeout(() => {
        throw new Error('deliberate uncaught error');
      });
    });
    await expect.poll(() => opened.problems().length).toBe(2);
    expect(opened.consoleErrors.join()).toContain('deliberate console error');
    expect(opened.pageErrors.join()).toContain('deliberate uncaught error');
  });

  it('answers prompt() and records every dialog so a page never blocks', async () => {
    const answer = await opened.page.evaluate(() => prompt('Enter room name:', 'foo'));
    expect(answer).toBe('foo');
    expect(opened.dialogs).toContainEqual({ type: 'prompt', message: 'Enter room name:' });
  });
});

describe('Chromium with a fake video file', () => {
  it('plays the given .y4m as the camera, at its size', async () => {
    const dir = makeTempDir('y4m');
    const width = 160;
    const height = 90;
    const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(width * height, 0x80), Buffer.alloc((width * height) / 2, 0x80)]);
    const file = join(dir.path, 'grey.y4m');
    writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`), frame, frame, frame]));
    const browser = await launchChromium({ fakeVideoFile: file });
    try {
      const opened = await openPage(browser, workbench.urlFor('/'));
      await captureInPage(opened.page);
      const state = await waitForVideoPlaying(opened.page.getByLabel('Test video'));
      expect({ width: state.videoWidth, height: state.videoHeight }).toEqual({ width, height });
    } finally {
      await browser.close();
      dir.remove();
    }
  });
});

describe('waitForVideoPlaying', () => {
  it('fails with VideoNotPlaying when the video has no source', async () => {
    const browser = await launchChromium();
    try {
      const opened = await openPage(browser, workbench.urlFor('/'));
      await expect(waitForVideoPlaying(opened.page.getByLabel('Test video'), { timeoutMs: 1000, label: 'Test video' })).rejects.toMatchObject({
        code: 'VIDEO_NOT_PLAYING',
        message: expect.stringContaining('"videoWidth":0'),
      });
    } finally {
      await browser.close();
    }
  });
});
