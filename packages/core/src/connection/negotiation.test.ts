// Unit tests for PerfectNegotiator: two fake peer connections joined by a signaling channel with latency, glare included.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeRTCPeerConnection, type FakePeerConnectionOptions } from '../../test/fake-peer-connection.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { silentLogger } from '../logger.js';
import {
  PerfectNegotiator,
  POLITE_OFFER_WAIT_MS,
  startNegotiation,
  type CollisionOutcome,
  type NegotiablePeerConnection,
  type NegotiationStartReason,
} from './negotiation.js';
import type { SignalMessage } from '../signaling/protocol.js';

// Compile-time: a real RTCPeerConnection is what the negotiator accepts.
const _realPcFits = (pc: RTCPeerConnection): NegotiablePeerConnection => pc;
void _realPcFits;

interface Side {
  pc: FakeRTCPeerConnection;
  negotiator: PerfectNegotiator;
  sent: SignalMessage[];
  errors: WorkbenchError[];
  collisions: CollisionOutcome[];
}

/** Deterministic pseudo-random numbers, so a failing seed can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const open: PerfectNegotiator[] = [];
afterEach(() => {
  for (const negotiator of open.splice(0)) negotiator.close();
  vi.useRealTimers();
});

/**
 * Two fake peer connections joined by an in-order signaling channel with latency, each driven
 * by a PerfectNegotiator: the shape of a real call, with the network replaced by timers.
 */
function connectPair(options: {
  politeA: boolean;
  politeB: boolean;
  latencyMs?: number | (() => number);
  pcA?: FakePeerConnectionOptions;
  pcB?: FakePeerConnectionOptions;
}) {
  let inFlight = 0;
  /** What happened, in order: printed when a convergence check fails. */
  const trace: string[] = [];
  const t0 = performance.now();
  const note = (line: string) => trace.push(`${(performance.now() - t0).toFixed(1)} ${line}`);
  const traceLogger = { debug: note, info: note, warn: note, error: note };
  const latency = options.latencyMs ?? 2;

  function makeSide(name: string, polite: boolean, pcOptions: FakePeerConnectionOptions = {}): Side {
    const pc = new FakeRTCPeerConnection({}, { name, ...pcOptions });
    const sent: SignalMessage[] = [];
    const errors: WorkbenchError[] = [];
    const collisions: CollisionOutcome[] = [];
    pc.addEventListener('signalingstatechange', () => note(`[${name}] ${pc.signalingState}`));
    const negotiator = new PerfectNegotiator({
      pc,
      polite,
      name,
      logger: traceLogger,
      send: (message) => {
        sent.push(message);
        deliver(name, message);
      },
    });
    negotiator.on('error', (error) => errors.push(error));
    negotiator.on('collision', (outcome) => collisions.push(outcome));
    open.push(negotiator);
    return { pc, negotiator, sent, errors, collisions };
  }

  const a = makeSide('A', options.politeA, options.pcA);
  const b = makeSide('B', options.politeB, options.pcB);

  // Messages are delivered in order per direction (as over one socket), each after a latency.
  // Each timer delivers the oldest queued message, not its own: timers of different durations
  // may fire out of order, a socket may not.
  const queues = new Map<string, SignalMessage[]>();
  function deliver(from: string, message: SignalMessage): void {
    const to = from === 'A' ? b : a;
    const queue = queues.get(from) ?? [];
    queues.set(from, queue);
    queue.push(message);
    inFlight += 1;
    setTimeout(() => {
      inFlight -= 1;
      const next = queue.shift();
      if (next === undefined) return;
      note(`${from} → ${typeof next === 'string' ? next : next.type} ${JSON.stringify(next).slice(0, 120)}`);
      void to.negotiator.handle(next);
    }, typeof latency === 'function' ? latency() : latency);
  }

  /**
   * Waits until both are stable, done gathering, with nothing in flight for a while, or gives up.
   * The default deadline is generous: on a loaded 2-core CI machine a 3 s one ran out in the middle
   * of an exchange that takes milliseconds when idle, and the test then read a half-done call. No
   * test waits it out on purpose (the deadlock test passes its own, short one).
   */
  async function settle(timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let quietSince = performance.now();
    while (performance.now() < deadline) {
      await sleep(5);
      // Gathering counts as activity too: a loaded machine can fire the next candidate timer after
      // the 60 ms of quiet, and the test would then read the messages sent before it.
      const quiet =
        inFlight === 0 &&
        [a.pc, b.pc].every((pc) => pc.pendingWork === 0 && pc.signalingState === 'stable' && pc.iceGatheringState !== 'gathering');
      if (!quiet) quietSince = performance.now();
      else if (performance.now() - quietSince > 60) return;
    }
  }

  return { a, b, settle, trace };
}

/** Both sides stable on the same offer/answer, each side's tracks negotiated and known to the other. */
function expectConverged(a: Side, b: Side): void {
  expect(a.pc.signalingState).toBe('stable');
  expect(b.pc.signalingState).toBe('stable');
  expect(a.pc.negotiatedLocalTracks).toBe(a.pc.localTracks);
  expect(b.pc.negotiatedLocalTracks).toBe(b.pc.localTracks);
  expect(b.pc.remoteTracks).toBe(a.pc.localTracks);
  expect(a.pc.remoteTracks).toBe(b.pc.localTracks);
  expect(a.pc.currentLocalDescription?.sdp).toBe(b.pc.currentRemoteDescription?.sdp);
  expect(b.pc.currentLocalDescription?.sdp).toBe(a.pc.currentRemoteDescription?.sdp);
  expect(a.errors).toEqual([]);
  expect(b.errors).toEqual([]);
}

describe('PerfectNegotiator: one side starts', () => {
  it('offers on negotiationneeded, the other answers, candidates trickle both ways', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    expectConverged(a, b);
    expect(a.sent.filter((m) => typeof m === 'object' && m.type === 'offer')).toHaveLength(1);
    expect(b.sent.filter((m) => typeof m === 'object' && m.type === 'answer')).toHaveLength(1);
    // Two host candidates each way, then end-of-candidates as an empty candidate string.
    expect(b.pc.addedCandidates).toHaveLength(2);
    expect(a.pc.addedCandidates).toHaveLength(2);
    expect(a.pc.endOfCandidates).toBe(true);
    expect(b.pc.endOfCandidates).toBe(true);
    expect(a.collisions).toEqual([]);
  });

  it('sends trickled candidates with sdpMid, sdpMLineIndex and usernameFragment, and ends with ""', async () => {
    const { a, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    const candidates = a.sent.filter((m) => typeof m === 'object' && m.type === 'candidate');
    const ufrag = FakeRTCPeerConnection.parse(a.pc.localDescription?.sdp).ufrag;
    expect(candidates[0]).toEqual({
      type: 'candidate',
      candidate: `candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host generation 0 ufrag ${ufrag}`,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: ufrag,
    });
    expect(candidates.at(-1)).toEqual({ type: 'candidate', candidate: '' });
  });

  it('calls setLocalDescription with no arguments, for offers and answers', async () => {
    const { a, b, settle } = connectPair({ politeA: true, politeB: false });
    b.pc.addTrack();
    await settle();
    expect(b.pc.calls.filter((c) => c.startsWith('setLocalDescription'))).toEqual(['setLocalDescription()']);
    expect(a.pc.calls.filter((c) => c.startsWith('setLocalDescription'))).toEqual(['setLocalDescription()']);
  });

  it('renegotiates when tracks are added later', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    b.pc.addTrack();
    b.pc.addTrack();
    await settle();
    a.pc.createDataChannel('chat');
    await settle();
    expectConverged(a, b);
    expect(b.pc.remoteTracks).toBe(2);
  });
});

describe('PerfectNegotiator: glare (both offer at once)', () => {
  it.each([
    { politeA: false, politeB: true },
    { politeA: true, politeB: false },
  ])('resolves to one stable offer/answer (A polite: $politeA)', async ({ politeA, politeB }) => {
    const { a, b, settle } = connectPair({ politeA, politeB, latencyMs: 10 });
    a.pc.addTrack();
    b.pc.addTrack();
    await settle();
    expectConverged(a, b);
    const [polite, impolite] = politeA ? [a, b] : [b, a];
    // The offers really crossed: the impolite side ignored one, the polite side rolled back.
    expect(impolite.collisions).toContain('ignored-their-offer');
    expect(polite.collisions).toContain('rolled-back-ours');
    expect(polite.pc.signalingHistory.join(' ')).toContain('have-local-offer stable have-remote-offer');
    // The impolite side never rolled back: its offer was the one that won.
    const impoliteHistory = impolite.pc.signalingHistory.join(' ');
    expect(impoliteHistory.startsWith('stable have-local-offer stable')).toBe(true);
  });

  it('ignores candidate errors only while ignoring an offer', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true, latencyMs: 10 });
    a.pc.addTrack();
    b.pc.addTrack();
    await settle();
    expectConverged(a, b);
    // A (impolite) received B's candidates for the ignored offer; their failures were not errors.
    expect(a.pc.calls.filter((c) => c === 'addIceCandidate').length).toBeGreaterThan(a.pc.addedCandidates.length);
    expect(a.errors).toEqual([]);
  });

  it('reports a candidate failure when no offer is being ignored', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    await b.negotiator.handle({ type: 'candidate', candidate: 'candidate:9 1 udp 1 10.9.9.9 9 typ host', sdpMid: '0', usernameFragment: 'nope' });
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]?.code).toBe(ErrorCode.NegotiationFailed);
    expect(b.errors[0]?.message).toContain('Unknown ufrag');
    expect(b.errors[0]?.cause).toBeInstanceOf(DOMException);
  });

  it('accepts an offer that arrives while an answer is being applied (isSettingRemoteAnswerPending)', async () => {
    // A's setRemoteDescription(answer) is slow; B offers right after answering, so B's offer
    // reaches A while A is still in have-local-offer. Without isSettingRemoteAnswerPending the
    // impolite A would take it for a collision and drop it, and B would wait forever.
    const { a, b, settle } = connectPair({
      politeA: false,
      politeB: true,
      latencyMs: 1,
      pcA: { opDelayMs: 30 },
    });
    b.pc.addEventListener('signalingstatechange', () => {
      if (b.pc.signalingState === 'have-remote-offer' && b.pc.localTracks === 0) b.pc.addTrack();
    });
    a.pc.addTrack();
    await settle();
    expectConverged(a, b);
    expect(a.collisions).toEqual([]);
    expect(b.pc.localTracks).toBe(1);
  });

  it('deadlocks when both sides are impolite, which is why one must be polite', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: false, latencyMs: 10 });
    a.pc.addTrack();
    b.pc.addTrack();
    await settle(400);
    expect(a.pc.signalingState).toBe('have-local-offer');
    expect(b.pc.signalingState).toBe('have-local-offer');
  });

  it('converges under random latencies, operation delays and track timings', async () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const random = seeded(seed);
      const { a, b, settle, trace } = connectPair({
        politeA: seed % 2 === 0,
        politeB: seed % 2 === 1,
        latencyMs: () => random() * 8,
        pcA: { opDelayMs: () => random() * 4 },
        pcB: { opDelayMs: () => random() * 4 },
      });
      const plan = Array.from({ length: 4 }, () => ({ side: random() < 0.5 ? a : b, at: random() * 30 }));
      for (const step of plan) setTimeout(() => (trace.push(`addTrack ${step.side.pc.name}`), step.side.pc.addTrack()), step.at);
      await sleep(35);
      await settle();
      try {
        expectConverged(a, b);
      } catch (error) {
        throw new Error(`seed ${seed} did not converge: ${String(error)} \n${trace.join('\n')}`);
      }
    }
  });
});

describe('PerfectNegotiator: lifecycle', () => {
  it('accepts the codelab candidate naming (label/id)', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    const ufrag = FakeRTCPeerConnection.parse(a.pc.localDescription?.sdp).ufrag;
    await b.negotiator.handle({ type: 'candidate', candidate: `candidate:7 1 udp 5 10.7.7.7 7 typ host ufrag ${ufrag}`, label: 0, id: '0' });
    expect(b.pc.addedCandidates.at(-1)).toEqual({
      candidate: `candidate:7 1 udp 5 10.7.7.7 7 typ host ufrag ${ufrag}`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    expect(b.errors).toEqual([]);
  });

  it('ignores messages that are not negotiation', async () => {
    const { b } = connectPair({ politeA: false, politeB: true });
    await b.negotiator.handle('got user media');
    await b.negotiator.handle('bye');
    await b.negotiator.handle({ type: 'text', text: 'hi' });
    expect(b.pc.calls).toEqual([]);
  });

  it('reports a send failure as an error event', async () => {
    const pc = new FakeRTCPeerConnection({}, { name: 'lonely' });
    const negotiator = new PerfectNegotiator({
      pc,
      polite: false,
      logger: silentLogger,
      send: () => Promise.reject(new WorkbenchError(ErrorCode.SignalingTimeout)),
    });
    open.push(negotiator);
    const errors: WorkbenchError[] = [];
    negotiator.on('error', (e) => errors.push(e));
    pc.addTrack();
    await sleep(30);
    expect(errors[0]?.code).toBe(ErrorCode.SignalingTimeout);
  });

  it('restarts ICE when the ICE connection fails', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    a.pc.addTrack();
    await settle();
    const firstUfrag = FakeRTCPeerConnection.parse(a.pc.localDescription?.sdp).ufrag;
    a.pc.simulate('iceConnectionState', 'failed');
    await settle();
    expect(a.pc.restartIceCalls).toBe(1);
    expectConverged(a, b);
    expect(FakeRTCPeerConnection.parse(b.pc.remoteDescription?.sdp).ufrag).not.toBe(firstUfrag);
  });

  it('after close: stops listening and sending, and handle() throws INVALID_STATE', async () => {
    const { a, settle } = connectPair({ politeA: false, politeB: true });
    a.negotiator.close();
    a.pc.addTrack();
    await settle(200);
    expect(a.sent).toEqual([]);
    expect(a.negotiator.closed).toBe(true);
    await expect(a.negotiator.handle({ type: 'candidate', candidate: '' })).rejects.toMatchObject({
      code: ErrorCode.InvalidState,
    });
  });
});

describe('startNegotiation: the polite side waits for the offer', () => {
  /** One negotiator on its own (nobody answers), for what happens before or without an offer. */
  function lonelyNegotiator(polite: boolean) {
    const pc = new FakeRTCPeerConnection({}, { name: 'lonely' });
    const sent: SignalMessage[] = [];
    const negotiator = new PerfectNegotiator({ pc, polite, logger: silentLogger, send: (m) => void sent.push(m) });
    open.push(negotiator);
    return { pc, negotiator, sent };
  }

  it('starts the impolite side at once', () => {
    const { negotiator } = lonelyNegotiator(false);
    const reasons: NegotiationStartReason[] = [];
    startNegotiation({ negotiator, start: (reason) => reasons.push(reason) });
    expect(reasons).toEqual(['impolite']);
  });

  it('starts the polite side when the offer is applied, before the answer, with no collision', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true, latencyMs: 5 });
    const seenAtStart: { reason: NegotiationStartReason; state: RTCSignalingState; answersSent: number }[] = [];
    startNegotiation({ negotiator: a.negotiator, start: () => a.pc.addTrack() });
    startNegotiation({
      negotiator: b.negotiator,
      start: (reason) => {
        seenAtStart.push({
          reason,
          state: b.pc.signalingState,
          answersSent: b.sent.filter((m) => typeof m === 'object' && m.type === 'answer').length,
        });
        b.pc.addTrack();
      },
    });
    // Nothing from the polite side until the offer has crossed the channel.
    expect(b.pc.localTracks).toBe(0);
    await settle();
    expect(seenAtStart).toEqual([{ reason: 'remote-offer', state: 'have-remote-offer', answersSent: 0 }]);
    expectConverged(a, b);
    expect(b.pc.localTracks).toBe(1);
    // The point of waiting: the polite side never had an offer of its own to roll back.
    expect(a.collisions).toEqual([]);
    expect(b.collisions).toEqual([]);
    expect(b.pc.signalingHistory.slice(0, 3)).toEqual(['stable', 'have-remote-offer', 'stable']);
  });

  it('starts the polite side itself after politeWaitMs when no offer comes, and only once', async () => {
    vi.useFakeTimers();
    const { negotiator } = lonelyNegotiator(true);
    const reasons: NegotiationStartReason[] = [];
    startNegotiation({ negotiator, start: (reason) => reasons.push(reason), politeWaitMs: 500 });
    vi.advanceTimersByTime(499);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual(['no-offer']);
    // An offer that turns up late does not start it a second time.
    negotiator.emit('remote-description', { type: 'offer', sdp: 'late' });
    vi.advanceTimersByTime(10_000);
    expect(reasons).toEqual(['no-offer']);
  });

  it('waits POLITE_OFFER_WAIT_MS (3 s) by default', () => {
    vi.useFakeTimers();
    const { negotiator } = lonelyNegotiator(true);
    const reasons: NegotiationStartReason[] = [];
    startNegotiation({ negotiator, start: (reason) => reasons.push(reason) });
    expect(POLITE_OFFER_WAIT_MS).toBe(3000);
    vi.advanceTimersByTime(2999);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual(['no-offer']);
  });

  it('does not count an answer as the offer it waits for', () => {
    vi.useFakeTimers();
    const { negotiator } = lonelyNegotiator(true);
    const reasons: NegotiationStartReason[] = [];
    startNegotiation({ negotiator, start: (reason) => reasons.push(reason), politeWaitMs: 100 });
    negotiator.emit('remote-description', { type: 'answer', sdp: 'x' });
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(reasons).toEqual(['no-offer']);
  });

  it('after cancel, neither the timer nor a later offer starts it', async () => {
    const { a, b, settle } = connectPair({ politeA: false, politeB: true });
    const reasons: NegotiationStartReason[] = [];
    const cancel = startNegotiation({ negotiator: b.negotiator, start: (reason) => reasons.push(reason), politeWaitMs: 50 });
    cancel();
    cancel(); // twice is harmless, as a page's teardown may run twice
    a.pc.addTrack();
    await settle();
    await sleep(80);
    expect(b.pc.remoteTracks).toBe(1); // the offer did arrive and was answered
    expect(reasons).toEqual([]);
    expect(b.negotiator.listenerCount('remote-description')).toBe(0);
  });

  it('does not start a polite side whose negotiator was closed while waiting', () => {
    vi.useFakeTimers();
    const { negotiator } = lonelyNegotiator(true);
    const reasons: NegotiationStartReason[] = [];
    startNegotiation({ negotiator, start: (reason) => reasons.push(reason), politeWaitMs: 100 });
    negotiator.close();
    vi.advanceTimersByTime(100);
    expect(reasons).toEqual([]);
  });
});
