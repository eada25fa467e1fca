// A relay-only call through a real coturn, with the ICE servers and credentials a page gets from
// the server's /api/ice-servers: the whole TURN chain a learner sets up with the README, in a browser.
import { FIXTURES, launchChromium, launchFirefox, openPage, startCoturn, startWorkbench, type CoturnServer, type Workbench } from '@workbench/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let coturn: CoturnServer;
let workbench: Workbench;
beforeAll(async () => {
  coturn = await startCoturn({ authSecret: 'relay-test-secret' });
  workbench = await startWorkbench({
    staticRoots: { steps: FIXTURES.harnessPage, diagnostics: FIXTURES.harnessPage },
    iceServers: { turn: { urls: [coturn.turnUdpUrl], secret: 'relay-test-secret' } },
  });
});
afterAll(async () => {
  await workbench?.close();
  await coturn?.stop();
});

interface RelayCallResult {
  connectionState: string;
  localCandidateType: string | undefined;
  remoteCandidateType: string | undefined;
  remoteWidth: number;
}

/** Two relay-only peer connections in the page, configured from /api/ice-servers, sending the fake camera. */
function relayCallInPage(page: Page): Promise<RelayCallResult> {
  return page.evaluate(async () => {
    const { iceServers } = (await (await fetch('/api/ice-servers')).json()) as { iceServers: RTCIceServer[] };
    const config: RTCConfiguration = { iceServers, iceTransportPolicy: 'relay' };
    const caller = new RTCPeerConnection(config);
    const callee = new RTCPeerConnection(config);
    caller.onicecandidate = (e) => void (e.candidate && callee.addIceCandidate(e.candidate));
    callee.onicecandidate = (e) => void (e.candidate && caller.addIceCandidate(e.candidate));
    const remote = new Promise<MediaStream>((resolve) => {
      callee.ontrack = (e) => resolve(e.streams[0] ?? new MediaStream([e.track]));
    });
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
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
    const deadline = Date.now() + 20_000;
    while ((video.videoWidth === 0 || caller.connectionState !== 'connected') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The pair in use, by the transport's selectedCandidatePairId (Chromium) or the nominated succeeded pair.
    const stats = [...(await caller.getStats()).values()] as (RTCStats & Record<string, unknown>)[];
    const transport = stats.find((s) => s.type === 'transport');
    const pair =
      stats.find((s) => s.id === transport?.['selectedCandidatePairId']) ??
      stats.find((s) => s.type === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded');
    const candidateType = (id: unknown): string | undefined => stats.find((s) => s.id === id)?.['candidateType'] as string | undefined;
    const result = {
      connectionState: caller.connectionState,
      localCandidateType: candidateType(pair?.['localCandidateId']),
      remoteCandidateType: candidateType(pair?.['remoteCandidateId']),
      remoteWidth: video.videoWidth,
    };
    caller.close();
    callee.close();
    for (const track of stream.getTracks()) track.stop();
    return result;
  });
}

describe.each([
  { name: 'Chromium', launch: () => launchChromium() },
  { name: 'Firefox ESR', launch: () => launchFirefox() },
])('relay-only call in $name through coturn', ({ launch }) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  it('connects over relay candidates and decodes the video', async () => {
    const opened = await openPage(browser, workbench.urlFor('/'));
    try {
      const result = await relayCallInPage(opened.page);
      expect(result, coturn.log().slice(-2000)).toEqual({ connectionState: 'connected', localCandidateType: 'relay', remoteCandidateType: 'relay', remoteWidth: expect.any(Number) });
      expect(result.remoteWidth).toBeGreaterThan(0);
      expect(opened.problems()).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
