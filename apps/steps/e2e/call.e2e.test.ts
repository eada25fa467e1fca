// Step 5, /call/, as two (or three) people use it: independent browser contexts with fake cameras
// join one room on the real server and the test asserts what they would see: both remote videos
// playing, the status line, the room-full explanation, a new peer after one hangs up, a reload
// that reconnects, and a call between Chromium and Firefox ESR.
import {
  VIEWPORTS,
  clippedContent,
  factBoxes,
  launchChromium,
  launchFirefox,
  openPage,
  squeezedFacts,
  startWorkbench,
  waitForLogToFollow,
  waitForVideoPlaying,
  type OpenedPage,
  type Workbench,
} from '@workbench/testing';
import type { Browser, JSHandle, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { joinAfterSignalingCodeFailed } from './signalingCodeRefused.js';

let workbench: Workbench;
let chromium: Browser;
const opened: OpenedPage[] = [];
let roomCounter = 0;

beforeAll(async () => {
  workbench = await startWorkbench();
  chromium = await launchChromium();
});
afterEach(async (context) => {
  // A failed call is only debuggable with both sides' event logs: print them before the pages close.
  if (context.task.result?.state === 'fail') {
    for (const [index, member] of opened.entries()) {
      const text = await logText(member.page).catch((error: unknown) => `(no log: ${String(error)})`);
      console.log(`--- page ${index + 1} ${member.page.url()}\n${text}\nproblems: ${JSON.stringify(member.problems())}`);
    }
  }
  await Promise.all(opened.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await chromium?.close();
  await workbench?.close();
});

function uniqueRoom(label: string): string {
  roomCounter += 1;
  return `call-${label}-${process.pid}-${roomCounter}`;
}

async function open(path: string, browser: Browser = chromium, viewport?: { width: number; height: number }): Promise<OpenedPage> {
  const page = await openPage(browser, workbench.urlFor(path), viewport ? { context: { viewport } } : {});
  opened.push(page);
  return page;
}

/** The stable words of the status line ("waiting for a peer", "connected" …). */
function status(page: Page): Promise<string> {
  return page.getByRole('status', { name: 'Call status' }).locator('strong').innerText();
}

function logText(page: Page): Promise<string> {
  return page.getByRole('log', { name: 'Event log' }).innerText();
}

async function joinCall(room: string, browser: Browser = chromium, viewport?: { width: number; height: number }): Promise<OpenedPage> {
  const member = await open(`/call/?room=${room}`, browser, viewport);
  await member.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toMatch(/^(joining|not in a call)$/);
  return member;
}

async function expectRemoteVideoPlaying(member: OpenedPage, label: string): Promise<void> {
  const state = await waitForVideoPlaying(member.page.getByLabel('Remote video'), { label: `${label}'s remote video`, timeoutMs: 25_000 });
  expect(state.videoWidth).toBeGreaterThan(0);
}

function pcHandle(page: Page): Promise<JSHandle<RTCPeerConnection | undefined>> {
  return page.evaluateHandle(() => (window as unknown as { pc?: RTCPeerConnection }).pc);
}

describe('/call/ between two Chromium contexts', () => {
  it('connects both ways; a third member of the room is told it is full; a member of another room hears nothing; Hang Up and a new peer reconnect', async () => {
    const room = uniqueRoom('pair');
    const outsider = await joinCall(uniqueRoom('elsewhere'));
    expect(await status(outsider.page)).toBe('waiting for a peer');

    const first = await joinCall(room);
    expect(await status(first.page)).toBe('waiting for a peer');
    const second = await joinCall(room);

    await Promise.all([expectRemoteVideoPlaying(first, 'first'), expectRemoteVideoPlaying(second, 'second')]);
    await expect.poll(() => status(first.page)).toBe('connected');
    await expect.poll(() => status(second.page)).toBe('connected');
    // The stats panel reads the selected pair: on one machine it is host to host.
    await expect.poll(() => first.page.getByTestId('candidate-pair').innerText(), { timeout: 10_000 }).toMatch(/host ↔ host/);
    await expect.poll(() => first.page.getByTestId('received-resolution').innerText()).toMatch(/^\d+×\d+/);
    expect(await first.page.getByRole('link', { name: 'the call quality tool' }).getAttribute('href')).toBe('/diagnostics/quality/');

    // A third member of the same room is turned away, with what to do.
    const third = await open(`/call/?room=${room}`);
    await third.page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => third.page.getByRole('alert').innerText().catch(() => '')).toContain('Room is full');
    expect(await third.page.getByRole('alert').innerText()).toContain('Use another room name');
    expect(await status(third.page)).toBe('not in a call');
    await third.close();

    // The member of another room saw none of this room's signaling.
    expect(await status(outsider.page)).toBe('waiting for a peer');
    expect(await logText(outsider.page)).not.toMatch(/join:|ready:|received (offer|answer)|remote candidate/);

    // Hang Up: the leaver's camera and connection are released; the other side closes its
    // connection and waits for a peer.
    const leaverPc = await pcHandle(second.page);
    const leaverStream = (await second.page.evaluateHandle(() => (window as unknown as { stream?: MediaStream }).stream)) as JSHandle<MediaStream | undefined>;
    const stayerPc = await pcHandle(first.page);
    await second.page.getByRole('button', { name: 'Hang Up' }).click();
    expect(await leaverPc.evaluate((pc) => pc?.signalingState)).toBe('closed');
    expect(await leaverStream.evaluate((s) => s?.getTracks().map((t) => t.readyState))).toEqual(['ended']);
    await expect.poll(() => status(first.page)).toBe('peer left — waiting for a peer');
    expect(await stayerPc.evaluate((pc) => pc?.signalingState)).toBe('closed');
    expect(await first.page.getByLabel('Remote video').evaluate((v) => (v as HTMLVideoElement).srcObject)).toBeNull();
    // A peer leaving is part of the flow: said as a status note, not as an error.
    expect(await first.page.getByTestId('peer-note').innerText()).toContain('The other person');
    expect(await first.page.getByRole('alert').count()).toBe(0);

    // A new peer joins the same room: a fresh connection, and both videos play again.
    const newcomer = await joinCall(room);
    await Promise.all([expectRemoteVideoPlaying(first, 'first'), expectRemoteVideoPlaying(newcomer, 'newcomer')]);
    await expect.poll(() => status(first.page)).toBe('connected');
    expect(await first.page.evaluate((old) => (window as unknown as { pc?: RTCPeerConnection }).pc !== old, stayerPc)).toBe(true);

    for (const member of [outsider, first, second, newcomer]) expect(member.problems()).toEqual([]);
  });

  it('reloading one side reconnects: the other hears bye, then the reloaded page rejoins by itself', async () => {
    const room = uniqueRoom('reload');
    const staying = await joinCall(room);
    const reloading = await joinCall(room);
    await Promise.all([expectRemoteVideoPlaying(staying, 'staying'), expectRemoteVideoPlaying(reloading, 'reloading')]);
    const before = await pcHandle(staying.page);

    await reloading.page.reload();
    // No click after the reload: the tab remembers it was in the room.
    await expect.poll(() => logText(staying.page)).toMatch(/bye: .* left room/);
    await Promise.all([expectRemoteVideoPlaying(staying, 'staying'), expectRemoteVideoPlaying(reloading, 'reloaded')]);
    await expect.poll(() => status(staying.page)).toBe('connected');
    await expect.poll(() => status(reloading.page)).toBe('connected');
    expect(await before.evaluate((pc) => pc?.signalingState)).toBe('closed');
    expect(await reloading.page.getByLabel('Room').inputValue()).toBe(room);

    // After Hang Up a reload does not rejoin: leaving is remembered too.
    await reloading.page.getByRole('button', { name: 'Hang Up' }).click();
    await reloading.page.reload();
    await expect.poll(() => status(staying.page)).toBe('peer left — waiting for a peer');
    expect(await status(reloading.page)).toBe('not in a call');
    for (const member of [staying, reloading]) expect(member.problems()).toEqual([]);
  });
});

describe('/call/ shows its own call: the exchange as arrows, setup times, encryption', () => {
  /** The diagram's arrows, in order, as "from>to label". */
  function arrows(page: Page): Promise<string[]> {
    return page.locator('svg g.arrow').evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-from')}>${n.getAttribute('data-to')} ${n.getAttribute('data-label')}`));
  }

  it("draws each message as an arrow in the order it happened, and the certificate matches the peer's a=fingerprint", async () => {
    const room = uniqueRoom('diagram');
    const first = await joinCall(room);
    await expect.poll(() => arrows(first.page)).toEqual(['page>server create or join', 'server>page created']);
    const second = await joinCall(room);
    await Promise.all([expectRemoteVideoPlaying(first, 'first'), expectRemoteVideoPlaying(second, 'second')]);

    // The first page offered while alone: its offer goes at 'ready', and the answer comes back.
    const firstArrows = await arrows(first.page);
    expect(firstArrows.slice(0, 5)).toEqual(['page>server create or join', 'server>page created', 'server>page join', 'server>page ready', 'page>peer offer']);
    expect(firstArrows.indexOf('peer>page answer')).toBeGreaterThan(4);
    const secondArrows = await arrows(second.page);
    expect(secondArrows.slice(0, 4)).toEqual(['page>server create or join', 'server>page joined', 'server>page ready', 'peer>page offer']);
    expect(secondArrows.indexOf('page>peer answer')).toBeGreaterThan(3);
    // Each arrow's time is no earlier than the one above it. Times are Intl-formatted (issue 16): "+1,234 ms" past a second.
    const times = await second.page.locator('svg g.arrow text.time').allInnerTexts();
    const ms = times.map((t) => Number(/\+([\d,]+) ms/.exec(t)?.[1]?.replaceAll(',', '')));
    expect(ms).toEqual([...ms].sort((a, b) => a - b));

    // Setup phases, counted from 'ready', all there and in order once the first frame has played.
    const phase = (page: Page, name: string) => page.locator(`[data-phase="${name}"] strong`).innerText();
    await expect.poll(() => phase(second.page, 'first remote frame'), { timeout: 10_000 }).toMatch(/^[\d,]+ ms$/);
    const phaseMs = await Promise.all(['offer', 'answer', 'ICE connected', 'DTLS connected', 'first remote frame'].map(async (name) => Number((await phase(second.page, name)).replace(' ms', '').replaceAll(',', ''))));
    expect(phaseMs).toEqual([...phaseMs].sort((a, b) => a - b));

    // Encryption: the certificate the other side presented is the one its SDP announced.
    for (const [self, other] of [[first, second], [second, first]] as const) {
      await expect.poll(() => self.page.getByTestId('remote-fingerprint').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^sha-256 [0-9A-F:]+$/);
      // Read from the other page's own connection, not from what this page received.
      const [algorithm, hex] = await other.page.evaluate(() => /a=fingerprint:(\S+) (\S+)/.exec((window as unknown as { pc: RTCPeerConnection }).pc.localDescription?.sdp ?? '')?.slice(1) ?? []);
      expect(hex).toMatch(/^[0-9A-Fa-f:]{40,}$/);
      expect(await self.page.getByTestId('remote-fingerprint').innerText()).toBe(`${algorithm?.toLowerCase()} ${hex?.toUpperCase()}`);
      expect(await self.page.getByTestId('fingerprint-match').innerText()).toContain('They match');
      expect(await self.page.getByTestId('srtp-cipher').innerText()).toMatch(/AES|AEAD/);
    }
    for (const member of [first, second]) expect(member.problems()).toEqual([]);
  });

  it('reads at phone width once connected: every fact under its label, nothing cut off', async () => {
    const room = uniqueRoom('phone');
    const first = await joinCall(room);
    const phone = await joinCall(room, chromium, VIEWPORTS.phone);
    await expectRemoteVideoPlaying(phone, 'the phone-width page');
    // The statistics and encryption panels fill in from getStats() after the first frame.
    await expect.poll(() => phone.page.getByTestId('sdp-fingerprint').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^sha-256 /);
    await expect.poll(() => phone.page.getByTestId('dtls-cipher').innerText().catch(() => '')).not.toBe('');
    expect(await squeezedFacts(phone.page)).toEqual([]);
    expect(await clippedContent(phone.page)).toEqual([]);
    // The longest value that is one word stays one line: nothing broke it into pieces.
    const cipher = (await factBoxes(phone.page)).find((fact) => fact.label === 'DTLS cipher');
    expect(cipher?.value).toMatch(/^TLS_/);
    expect(cipher?.lines, `"${cipher?.value}" on one line`).toBe(1);
    for (const member of [first, phone]) expect(member.problems()).toEqual([]);
  });
});

describe("/call/'s event log during a call's setup", () => {
  it('draws the burst of setup lines a few at a time, in order, never behind the status beside it, and shows the newest', async () => {
    const room = uniqueRoom('log');
    const first = await joinCall(room);
    const second = await open(`/call/?room=${room}`);
    // Every time rows are added to the log: how many. One callback per drawing of the list.
    // And each status word the page showed, with the log's text at that moment.
    await second.page.evaluate(() => {
      const draws: number[] = [];
      const statuses: [string, string][] = [];
      Object.assign(window, { logDraws: draws, statusesSeen: statuses });
      const list = document.querySelector('[role="log"] ol');
      const word = document.querySelector('#call-status strong');
      if (!list || !word) throw new Error('no event log list or status word');
      new MutationObserver((records) => {
        const added = records.reduce((n, r) => n + [...r.addedNodes].filter((node) => node instanceof HTMLLIElement && !node.classList.contains('empty')).length, 0);
        if (added > 0) draws.push(added);
      }).observe(list, { childList: true });
      new MutationObserver(() => statuses.push([word.textContent ?? '', list.textContent ?? ''])).observe(word, { childList: true, characterData: true, subtree: true });
    });
    await second.page.getByRole('button', { name: 'Join', exact: true }).click();
    await Promise.all([expectRemoteVideoPlaying(first, 'first'), expectRemoteVideoPlaying(second, 'second')]);
    await expect.poll(() => logText(second.page), { timeout: 10_000 }).toMatch(/first remote frame/i);

    const draws = await second.page.evaluate(() => (window as unknown as { logDraws: number[] }).logDraws);
    const lines = draws.reduce((a, b) => a + b, 0);
    expect(lines).toBeGreaterThanOrEqual(8);
    // Drawn one by one, a call's setup redrew the log once per line, while answering its peer.
    expect(draws.length).toBeLessThanOrEqual(Math.ceil(lines / 3));
    const times = await second.page.locator('[role="log"] li .time').allInnerTexts();
    const ms = times.map((t) => Number(t.replace(/[^\d.]/g, '')));
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    expect((await waitForLogToFollow(second.page)).lastLineVisible).toBe(true);
    // The log already showed the line that changed the status when the status word changed.
    const statuses = await second.page.evaluate(() => (window as unknown as { statusesSeen: [string, string][] }).statusesSeen);
    expect(statuses.map(([word]) => word)).toContain('connected');
    expect(statuses.find(([word]) => word === 'connected')?.[1]).toContain('connectionState: connected');
  });
});

describe('/call/ when its signaling code could not load as the page opened', () => {
  it('says the server is unreachable, then fetches the code again on Join: no reload needed', async () => {
    const { member, alert } = await joinAfterSignalingCodeFailed(chromium, workbench.urlFor(`/call/?room=${uniqueRoom('refetch')}`), opened);
    await expect.poll(() => status(member.page), { timeout: 15_000 }).toBe('waiting for a peer');
    expect(await alert.count()).toBe(0);
    expect(member.problems()).toEqual([]); // the failed load was handled, nothing else went wrong
  });
});

describe('/call/ when no network path exists', () => {
  /**
   * A firewall between the peers, simulated in both pages: every remote candidate is rewritten to
   * an address in TEST-NET-3 (RFC 5737, never routed), so every connectivity check goes nowhere.
   * Trickled candidates and those inside a remote description alike (an offer made while alone
   * carries its candidates in its SDP).
   */
  function blackholeRemoteCandidates(): void {
    /** A candidate line (`candidate:…` or `a=candidate:…`) pointing nowhere; null for tcp, which nothing listens on anyway. */
    const blackhole = (line: string): string | null => {
      const fields = line.split(' ');
      if (fields[2]?.toLowerCase() !== 'udp') return null;
      fields[4] = '203.0.113.9';
      return fields.join(' ');
    };
    const addIceCandidate: (this: RTCPeerConnection, candidate?: RTCIceCandidateInit) => Promise<void> = RTCPeerConnection.prototype.addIceCandidate;
    RTCPeerConnection.prototype.addIceCandidate = function (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) {
      if (!candidate?.candidate) return addIceCandidate.call(this, candidate ?? undefined);
      const rewritten = blackhole(candidate.candidate);
      if (rewritten === null) return Promise.resolve();
      return addIceCandidate.call(this, { ...candidate, candidate: rewritten });
    } as RTCPeerConnection['addIceCandidate'];
    const setRemoteDescription: (this: RTCPeerConnection, description: RTCSessionDescriptionInit) => Promise<void> = RTCPeerConnection.prototype.setRemoteDescription;
    RTCPeerConnection.prototype.setRemoteDescription = function (this: RTCPeerConnection, description: RTCSessionDescriptionInit) {
      const sdp = description.sdp
        ?.split('\r\n')
        .flatMap((line) => (line.startsWith('a=candidate:') ? [blackhole(line)].filter((l): l is string => l !== null) : [line]))
        .join('\r\n');
      return setRemoteDescription.call(this, { ...description, ...(sdp === undefined ? {} : { sdp }) });
    } as RTCPeerConnection['setRemoteDescription'];
  }

  it('says "ICE failed" and explains it in place (what happened, what to do)', async () => {
    const room = uniqueRoom('firewalled');
    const members: OpenedPage[] = [];
    for (let i = 0; i < 2; i += 1) {
      const member = await openPage(chromium, workbench.urlFor(`/call/?room=${room}`), {
        beforeNavigate: async (context) => {
          await context.addInitScript(blackholeRemoteCandidates);
        },
      });
      opened.push(member);
      await member.page.getByRole('button', { name: 'Join', exact: true }).click();
      await expect.poll(() => status(member.page), { timeout: 15_000 }).not.toMatch(/^(joining|not in a call)$/);
      members.push(member);
    }
    for (const member of members) {
      await expect.poll(() => status(member.page), { timeout: 40_000 }).toBe('ICE failed');
      const alert = member.page.getByRole('alert');
      expect(await alert.innerText()).toContain('No network path between the peers');
      expect(await alert.innerText()).toContain('TURN server');
      expect(await member.page.getByLabel('Remote video').evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBe(0);
      expect(member.pageErrors).toEqual([]);
    }
  });
});

describe('/call/ between Chromium and Firefox ESR', () => {
  let firefox: Browser | undefined;
  afterAll(async () => {
    await firefox?.close();
  });

  it('connects, and each side plays the other one’s video', async () => {
    firefox = await launchFirefox();
    const room = uniqueRoom('cross');
    const inChromium = await joinCall(room);
    const inFirefox = await joinCall(room, firefox);
    await Promise.all([expectRemoteVideoPlaying(inChromium, 'Chromium'), expectRemoteVideoPlaying(inFirefox, 'Firefox')]);
    await expect.poll(() => status(inChromium.page)).toBe('connected');
    await expect.poll(() => status(inFirefox.page)).toBe('connected');
    expect(inChromium.problems()).toEqual([]);
    expect(inFirefox.problems()).toEqual([]);
  });
});
