import { afterEach, describe, expect, it, vi } from 'vitest';

import { gatherWithAllServers, type SharedGatheringOptions } from './ice-gathering.js';
import type { PeerConnectionConstructor } from '../../connection/peer.js';

/**
 * Just what a gathering touches, scripted by the test: handler properties (how the page and
 * libwebrtc in Node are driven), an offer that starts gathering, and `close()`.
 */
class ScriptedPeerConnection {
  static last: ScriptedPeerConnection | undefined;
  readonly configuration: RTCConfiguration | undefined;
  iceGatheringState: RTCIceGatheringState = 'new';
  closed = false;
  onicecandidate: ((event: { candidate: { candidate: string; url?: string } | null }) => void) | null = null;
  onicecandidateerror: ((event: Partial<RTCPeerConnectionIceErrorEvent>) => void) | null = null;
  onicegatheringstatechange: (() => void) | null = null;

  constructor(configuration?: RTCConfiguration) {
    this.configuration = configuration;
    ScriptedPeerConnection.last = this;
  }

  createDataChannel(): void {}
  createOffer(): Promise<{ type: 'offer'; sdp: string }> {
    return Promise.resolve({ type: 'offer', sdp: 'v=0\r\n' });
  }
  setLocalDescription(): Promise<void> {
    this.iceGatheringState = 'gathering';
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }

  candidate(line: string, url?: string): void {
    this.onicecandidate?.({ candidate: { candidate: line, ...(url ? { url } : {}) } });
  }
  complete(): void {
    this.iceGatheringState = 'complete';
    this.onicegatheringstatechange?.();
  }
}

const HOST = 'candidate:1 1 udp 2122260223 10.0.0.2 40000 typ host generation 0';
const SRFLX = 'candidate:2 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 10.0.0.2 rport 40000 generation 0';

function options(overrides: Partial<SharedGatheringOptions> = {}): SharedGatheringOptions {
  return {
    PeerConnection: ScriptedPeerConnection as unknown as PeerConnectionConstructor,
    iceServers: [{ urls: 'stun:203.0.113.10:3478' }],
    policy: 'all',
    budgetMs: 5000,
    runStartedAt: performance.now(),
    ...overrides,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('gatherWithAllServers', () => {
  it('records candidates and errors as they come, and ends with gathering complete', async () => {
    const onChange = vi.fn();
    const run = gatherWithAllServers(options({ onChange }));
    const pc = ScriptedPeerConnection.last;
    await flush();
    expect(pc?.configuration).toEqual({ iceServers: [{ urls: 'stun:203.0.113.10:3478' }], iceTransportPolicy: 'all' });
    expect(run.pc).toBe(pc);
    pc?.candidate(HOST);
    pc?.candidate(SRFLX, 'stun:203.0.113.10:3478');
    pc?.onicecandidateerror?.({ errorCode: 701, url: 'stun:203.0.113.10:3478' });
    // The page's table reads the record while it grows.
    expect(run.record.candidates.map((c) => [c.candidate, c.url])).toEqual([
      [HOST, undefined],
      [SRFLX, 'stun:203.0.113.10:3478'],
    ]);
    expect(onChange).toHaveBeenCalledTimes(3);
    pc?.complete();
    const record = await run.done;
    expect(record).toMatchObject({ status: 'success', errors: [{ errorCode: 701, errorText: '', address: null, port: null }] });
    expect(record.gatheringCompleteMs).toBeGreaterThanOrEqual(0);
    expect(record.note).toBeUndefined();
    expect(pc?.closed).toBe(true);
    expect(run.pc).toBeUndefined();
  });

  it('stops at the budget with what it has, saying why', async () => {
    vi.useFakeTimers();
    const run = gatherWithAllServers(options({ budgetMs: 2000 }));
    ScriptedPeerConnection.last?.candidate(HOST);
    await vi.advanceTimersByTimeAsync(2000);
    const record = await run.done;
    expect(record).toMatchObject({ status: 'success', note: expect.stringMatching(/budget ran out while ICE was still gathering/) });
    expect(record.candidates).toHaveLength(1);
    expect(record.gatheringCompleteMs).toBeUndefined();
    expect(ScriptedPeerConnection.last?.closed).toBe(true);
  });

  it('is skipped when the run is cancelled, and failed when the configuration is refused', async () => {
    const controller = new AbortController();
    const run = gatherWithAllServers(options({ signal: controller.signal }));
    controller.abort();
    expect(await run.done).toMatchObject({ status: 'skipped', note: 'Cancelled.' });

    const Refusing = function () {
      throw new TypeError("Failed to construct 'RTCPeerConnection': 'stun:' is not a valid URL.");
    } as unknown as PeerConnectionConstructor;
    const refused = await gatherWithAllServers(options({ PeerConnection: Refusing })).done;
    expect(refused.status).toBe('failed');
    expect(refused.note).toContain('not a valid URL');
  });
});
