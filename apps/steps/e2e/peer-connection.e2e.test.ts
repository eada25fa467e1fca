// Step 2, /peer-connection/, in real Chromium with a fake camera: Start → Call → Hang Up, what the page
// shows along the way, and the codelab's bugs in this step, each forced to the moment it would bite.
import zh from '@workbench/i18n/messages/peer-connection/zh-CN.json' with { type: 'json' };
import { englishLeft, waitForVideoPlaying, type OpenedPage } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** What the page puts on `window` for the console (and for these tests). */
type Live = Window & { pc1?: RTCPeerConnection; pc2?: RTCPeerConnection; stream?: MediaStream };

const suite = pageSuite();

async function open(options: { initScript?: () => void; width?: number; path?: string } = {}): Promise<OpenedPage> {
  const { initScript, width = 1280, path = '/peer-connection/' } = options;
  const page = await suite.open(path, {
    context: { viewport: { width, height: 900 } },
    beforeNavigate: async (context) => {
      if (initScript) await context.addInitScript(initScript);
    },
  });
  return page;
}

function buttons(page: Page) {
  return {
    start: page.getByRole('button', { name: 'Start', exact: true }),
    call: page.getByRole('button', { name: 'Call', exact: true }),
    hangUp: page.getByRole('button', { name: 'Hang Up', exact: true }),
  };
}

/** Start, then Call, then wait for the remote video to play. */
async function startCall(page: Page): Promise<void> {
  const { start, call } = buttons(page);
  await start.click();
  await expect.poll(() => call.isEnabled(), { timeout: 15_000 }).toBe(true); // getUserMedia can take seconds on a loaded machine
  await call.click();
  await waitForVideoPlaying(page.getByLabel('Remote video'), { label: 'Remote video' });
}

interface TimelineRow {
  at: number;
  pc: string;
  state: string;
  value: string;
}

async function readTimeline(page: Page): Promise<TimelineRow[]> {
  const rows = await page.getByRole('region', { name: 'State timeline table' }).locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
  );
  // Times are Intl-formatted (issue 16): "1,234.5" past a second, so the grouping commas go first.
  return rows.map(([at = '', pc = '', state = '', value = '']) => ({ at: Number(at.replaceAll(',', '')), pc, state, value }));
}

function indexOfRow(rows: TimelineRow[], pc: string, state: string, value: string): number {
  return rows.findIndex((row) => row.pc === pc && row.state === state && row.value === value);
}

async function eventLogText(page: Page): Promise<string> {
  return page.getByRole('log').innerText();
}

describe('/peer-connection/ main flow', () => {
  it('Start → Call plays the camera through pc1 → pc2, with SDP, candidates, a timeline and the setup time', async () => {
    const { page, problems } = await open();
    const { start, call, hangUp } = buttons(page);
    expect(await start.isEnabled()).toBe(true);
    expect(await call.isEnabled()).toBe(false);
    expect(await hangUp.isEnabled()).toBe(false);

    await start.click();
    await waitForVideoPlaying(page.getByLabel('Local video'), { label: 'Local video' });
    expect(await call.isEnabled()).toBe(true);
    expect(await start.isEnabled()).toBe(false);

    await call.click();
    const remote = await waitForVideoPlaying(page.getByLabel('Remote video'), { label: 'Remote video' });
    expect(remote.videoWidth).toBeGreaterThan(0);
    expect(await hangUp.isEnabled()).toBe(true);
    expect(await call.isEnabled()).toBe(false);

    // addTrack/ontrack, not the removed addStream: pc1 has a sender with the camera track.
    const senders = await page.evaluate(() => (window as Live).pc1?.getSenders().map((s) => s.track?.kind ?? null));
    expect(senders).toEqual(['video']);

    // Both connections reach "connected", and the timeline shows how they got there, in order.
    await expect.poll(async () => (await readTimeline(page)).filter((r) => r.state === 'connectionState' && r.value === 'connected').length).toBe(2);
    await expect.poll(async () => (await readTimeline(page)).filter((r) => r.state === 'iceGatheringState' && r.value === 'complete').length).toBe(2);
    const rows = await readTimeline(page);
    const times = rows.map((r) => r.at);
    expect(times.every((t) => Number.isFinite(t) && t >= 0)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const at = (pc: string, state: string, value: string) => {
      const index = indexOfRow(rows, pc, state, value);
      expect(index, `${pc} ${state} ${value} in ${JSON.stringify(rows)}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(at('pc1', 'signalingState', 'have-local-offer')).toBeLessThan(at('pc2', 'signalingState', 'have-remote-offer'));
    expect(at('pc2', 'signalingState', 'have-remote-offer')).toBeLessThan(at('pc2', 'signalingState', 'stable'));
    expect(at('pc2', 'signalingState', 'stable')).toBeLessThan(at('pc1', 'signalingState', 'stable'));
    for (const pc of ['pc1', 'pc2']) {
      expect(at(pc, 'iceGatheringState', 'gathering')).toBeLessThan(at(pc, 'iceGatheringState', 'complete'));
      expect(at(pc, 'iceConnectionState', 'checking')).toBeLessThan(at(pc, 'iceConnectionState', 'connected'));
      expect(at(pc, 'connectionState', 'connecting')).toBeLessThan(at(pc, 'connectionState', 'connected'));
    }

    // The setup time is a number of ms, shown and logged.
    // Intl-formatted (issue 16): "1,234 ms" once a slow machine takes over a second.
    await expect.poll(() => page.getByTestId('setup-time').innerText()).toMatch(/^\d{1,3}(,\d{3})* ms$/);
    const setupMs = Number((await page.getByTestId('setup-time').innerText()).replace(' ms', '').replaceAll(',', ''));
    expect(setupMs).toBeGreaterThan(0);
    expect(setupMs).toBeLessThan(20_000);

    // Candidates in both directions, parsed into type, protocol and address.
    const candidateRows = page.getByRole('region', { name: 'ICE candidates table' }).locator('tbody tr');
    const candidates = await candidateRows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')));
    expect(candidates.some((c) => c[1] === 'pc1 → pc2')).toBe(true);
    expect(candidates.some((c) => c[1] === 'pc2 → pc1')).toBe(true);
    for (const [, , type, protocol, address, status] of candidates) {
      expect(['host', 'srflx', 'prflx', 'relay']).toContain(type);
      expect(['udp', 'tcp']).toContain(protocol);
      expect(address).toMatch(/:\d+$/);
      expect(status).toMatch(/^(added|queued → added)$/);
    }

    // Offer and answer SDP, in collapsible <details>.
    await page.getByText(/^Offer SDP/).click();
    await page.getByText(/^Answer SDP/).click();
    expect(await page.getByLabel('Offer SDP').innerText()).toMatch(/^v=0[\s\S]*m=video /);
    expect(await page.getByLabel('Answer SDP').innerText()).toMatch(/^v=0[\s\S]*m=video /);

    // The source panels show the code that ran, cut from the real files.
    const source = page.locator('details.source-panel', { hasText: 'Peer.addIceCandidate' });
    await source.locator('summary').click();
    expect(await source.locator('pre').innerText()).toMatch(/addIceCandidate\([\s\S]*queue/);

    expect(problems()).toEqual([]);
  });

  it('Hang Up ends the tracks, closes both connections, clears both videos and enables Start again', async () => {
    const { page, problems } = await open();
    const { start, call, hangUp } = buttons(page);
    await startCall(page);
    await hangUp.click();

    expect(await page.evaluate(() => (window as Live).stream?.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    expect(await page.evaluate(() => [(window as Live).pc1?.signalingState, (window as Live).pc2?.signalingState])).toEqual(['closed', 'closed']);
    const videos = await page.locator('video').evaluateAll((elements) =>
      elements.map((v) => ({ srcObject: (v as HTMLVideoElement).srcObject, width: (v as HTMLVideoElement).videoWidth })),
    );
    expect(videos).toEqual([
      { srcObject: null, width: 0 },
      { srcObject: null, width: 0 },
    ]);
    expect(await start.isEnabled()).toBe(true);
    expect(await call.isEnabled()).toBe(false);
    expect(await hangUp.isEnabled()).toBe(false);

    // And a second call works from the same page.
    await startCall(page);
    expect(problems()).toEqual([]);
  });

  it('is usable at phone width: no sideways scrolling of the page at 390 px', async () => {
    const { page, problems } = await open({ width: 390 });
    await startCall(page);
    await page.getByText(/^Offer SDP/).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems()).toEqual([]);
  });
});

describe('/peer-connection/ failures explained in place', () => {
  it('a denied camera is explained, and Start can be tried again', async () => {
    const { page } = await open({
      initScript: () => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      },
    });
    const { start, call } = buttons(page);
    await start.click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toMatch(/What to do:/);
    expect(await alert.innerText()).toContain('NotAllowedError');
    expect(await call.isEnabled()).toBe(false);
    expect(await start.isEnabled()).toBe(true);
  });
});

describe('/peer-connection/: codelab bugs that must not exist here', () => {
  it('setup time never logged: the event log states the setup time in ms', async () => {
    const { page, problems } = await open();
    await startCall(page);
    await expect.poll(() => eventLogText(page)).toMatch(/Setup time: \d{1,3}(,\d{3})* ms from Call to the first remote video frame/);
    expect(problems()).toEqual([]);
  });

  it('Hang Up not stopping tracks: the camera track is ended, not just the connections closed', async () => {
    const { page } = await open();
    await startCall(page);
    const before = await page.evaluate(() => (window as Live).stream?.getTracks().map((t) => t.readyState));
    expect(before).toEqual(['live']);
    await buttons(page).hangUp.click();
    expect(await page.evaluate(() => (window as Live).stream?.getTracks().map((t) => t.readyState))).toEqual(['ended']);
  });

  it('candidates dropped before the connection exists: early candidates are queued, then all added', async () => {
    // pc2 applies the offer 600 ms late, so pc1's candidates certainly reach pc2 before it has a
    // remote description. Every addIceCandidate call is recorded with whether one existed.
    const { page, problems } = await open({
      initScript: () => {
        const record: { remoteDescription: boolean; candidate: string; ok?: boolean }[] = [];
        (window as unknown as { candidateCalls: typeof record }).candidateCalls = record;
        const proto = RTCPeerConnection.prototype;
        // The one-argument promise forms; the legacy callback overloads are not used.
        const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
        const addCandidate = proto.addIceCandidate as (this: RTCPeerConnection, c?: RTCIceCandidateInit) => Promise<void>;
        proto.setRemoteDescription = async function (this: RTCPeerConnection, description: RTCSessionDescriptionInit) {
          if (this === (window as { pc2?: RTCPeerConnection }).pc2 && description.type === 'offer') await new Promise((r) => setTimeout(r, 600));
          return setRemote.call(this, description);
        } as typeof proto.setRemoteDescription;
        proto.addIceCandidate = async function (this: RTCPeerConnection, candidate?: RTCIceCandidateInit | null) {
          const entry = { remoteDescription: this.remoteDescription !== null, candidate: candidate?.candidate ?? '' } as (typeof record)[number];
          if (this === (window as { pc2?: RTCPeerConnection }).pc2) record.push(entry);
          try {
            await addCandidate.call(this, candidate ?? undefined);
            entry.ok = true;
          } catch (error) {
            entry.ok = false;
            throw error;
          }
        } as typeof proto.addIceCandidate;
      },
    });
    await startCall(page);

    const rows = page.getByRole('region', { name: 'ICE candidates table' }).locator('tbody tr');
    const fromPc1 = await rows.evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')).filter((cells) => cells[1] === 'pc1 → pc2'),
    );
    expect(fromPc1.length).toBeGreaterThan(0);
    // The delay made them early; the page says so, and they were added once the offer was applied.
    expect(fromPc1.every((cells) => cells[5] === 'queued → added'), JSON.stringify(fromPc1)).toBe(true);

    const calls = await page.evaluate(() => (window as unknown as { candidateCalls: { remoteDescription: boolean; candidate: string; ok?: boolean }[] }).candidateCalls);
    const real = calls.filter((c) => c.candidate !== '');
    expect(real.length).toBe(fromPc1.length);
    // Nothing reached the browser before the remote description (that throws InvalidStateError), and nothing failed.
    expect(real.every((c) => c.remoteDescription && c.ok === true), JSON.stringify(calls)).toBe(true);
    expect(problems()).toEqual([]);
  });

  it('answer sent before setLocalDescription resolves: pc1 gets the answer only after pc2 has set it', async () => {
    // pc2's setLocalDescription(answer) resolves 500 ms late: a page that passes the answer on
    // without waiting would call pc1.setRemoteDescription(answer) before it resolves.
    const { page, problems } = await open({
      initScript: () => {
        const order: string[] = [];
        (window as unknown as { callOrder: string[] }).callOrder = order;
        const name = (pc: RTCPeerConnection) => {
          const w = window as { pc1?: RTCPeerConnection; pc2?: RTCPeerConnection };
          return pc === w.pc1 ? 'pc1' : pc === w.pc2 ? 'pc2' : 'other';
        };
        const proto = RTCPeerConnection.prototype;
        const setLocal = proto.setLocalDescription as (this: RTCPeerConnection, d?: RTCLocalSessionDescriptionInit) => Promise<void>;
        const setRemote = proto.setRemoteDescription as (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
        proto.setLocalDescription = async function (this: RTCPeerConnection, description?: RTCLocalSessionDescriptionInit) {
          const who = name(this);
          await setLocal.call(this, description);
          const type = this.localDescription?.type ?? 'none';
          if (who === 'pc2' && type === 'answer') await new Promise((r) => setTimeout(r, 500));
          order.push(`${who} setLocalDescription(${type}) resolved`);
        } as typeof proto.setLocalDescription;
        proto.setRemoteDescription = async function (this: RTCPeerConnection, description: RTCSessionDescriptionInit) {
          order.push(`${name(this)} setRemoteDescription(${description.type}) called`);
          return setRemote.call(this, description);
        } as typeof proto.setRemoteDescription;
      },
    });
    await startCall(page);
    const order = await page.evaluate(() => (window as unknown as { callOrder: string[] }).callOrder);
    const answerSet = order.indexOf('pc2 setLocalDescription(answer) resolved');
    const answerSent = order.indexOf('pc1 setRemoteDescription(answer) called');
    expect(answerSet, order.join('\n')).toBeGreaterThanOrEqual(0);
    expect(answerSent, order.join('\n')).toBeGreaterThan(answerSet);
    // Same rule for the offer: pc2 sees it only after pc1 has set it.
    expect(order.indexOf('pc2 setRemoteDescription(offer) called')).toBeGreaterThan(order.indexOf('pc1 setLocalDescription(offer) resolved'));
    expect(problems()).toEqual([]);
  });
});

// Issue 16: the same flow by its Chinese names; a control left in English is not found.
describe('/peer-connection/?lang=zh: the main flow in Chinese', () => {
  const zhButtons = (page: Page) => ({
    start: page.getByRole('button', { name: zh.pc_start, exact: true }),
    call: page.getByRole('button', { name: zh.pc_call, exact: true }),
    hangUp: page.getByRole('button', { name: zh.pc_hang_up, exact: true }),
  });
  /** What the page's Intl formatting must give in Chinese, worked out here with Intl itself. */
  const zhMs = (ms: number) => new Intl.NumberFormat('zh-CN', { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 }).format(ms);
  const zhTenths = (value: number) => new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);

  it('开始 → 呼叫 plays the camera through pc1 → pc2; setup time, timeline and candidates in Chinese, with Intl numbers; no English left', async () => {
    const { page, problems } = await open({ path: '/peer-connection/?lang=zh' });
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const { start, call, hangUp } = zhButtons(page);
    expect(await call.isEnabled()).toBe(false);
    await start.click();
    await waitForVideoPlaying(page.getByLabel(zh.pc_local_video), { label: zh.pc_local_video });
    await expect.poll(() => call.isEnabled(), { timeout: 15_000 }).toBe(true);
    await call.click();
    const remote = await waitForVideoPlaying(page.getByLabel(zh.pc_remote_video), { label: zh.pc_remote_video });
    expect(remote.videoWidth).toBeGreaterThan(0);
    expect(await hangUp.isEnabled()).toBe(true);

    // Both connections connected, in the Chinese badge and the Chinese-named timeline table.
    const timeline = page.getByRole('region', { name: zh.pc_timeline_table }).locator('tbody tr');
    const readRows = () => timeline.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')));
    await expect.poll(async () => (await readRows()).filter(([, , state, value]) => state === 'connectionState' && value === 'connected').length).toBe(2);
    await expect.poll(() => page.getByText(zh.pc_connection_badge.replace('{name}', 'pc2').replace('{state}', 'connected'), { exact: true }).count()).toBe(1);
    // Every time is Chinese Intl's "1,234.5": parsed back and formatted again, it reads the same.
    for (const [at = ''] of await readRows()) expect(at).toBe(zhTenths(Number(at.replaceAll(',', ''))));

    // The setup phase: the time shown and logged in Chinese units (毫秒), not "ms".
    const setupTime = page.getByTestId('setup-time');
    await expect.poll(() => setupTime.innerText()).toMatch(/毫秒$/);
    const setupText = await setupTime.innerText();
    const setupMs = Number(setupText.replace('毫秒', '').replaceAll(',', ''));
    expect(setupMs).toBeGreaterThan(0);
    expect(setupMs).toBeLessThan(20_000);
    expect(setupText).toBe(zhMs(setupMs));
    await expect.poll(() => page.getByRole('log').innerText()).toContain(zh.pc_log_setup_time.replace('{ms}', setupText));

    // Candidates: Chinese statuses, API words (host, udp) kept as code.
    const candidates = await page
      .getByRole('region', { name: zh.pc_candidates_table })
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')));
    expect(candidates.length).toBeGreaterThan(0);
    for (const [, , type, , , status] of candidates) {
      expect(['host', 'srflx', 'prflx', 'relay']).toContain(type);
      expect([zh.pc_candidate_added, zh.pc_candidate_queued_added]).toContain(status);
    }

    // Open what a reader would open, then walk the whole page body: nothing left in English.
    await page.getByText(zh.pc_offer_summary.split('{lines}')[0] ?? '').click();
    await page.getByText(zh.pc_answer_summary.split('{lines}')[0] ?? '').click();
    await expect.poll(() => page.locator('details.source-panel').count()).toBe(2);
    expect(await englishLeft(page, ['main'])).toEqual([]);

    // Hang Up by its Chinese name, and the log says so in Chinese.
    await hangUp.click();
    await expect.poll(() => page.getByRole('log').innerText()).toContain(zh.pc_log_hung_up.replace('{count}', '1'));
    expect(await start.isEnabled()).toBe(true);
    expect(await englishLeft(page, ['main'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
