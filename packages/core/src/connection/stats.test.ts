// Unit tests for stats: normaliseStats on Chromium/Firefox-shaped fixtures, RingBuffer, StatsPoller.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chromiumFirst, chromiumSecond, firefoxReport } from '../../test/fixtures/stats.js';
import type { WorkbenchError } from '../errors.js';
import { ErrorCode } from '../errors.js';
import { silentLogger } from '../logger.js';
import { RingBuffer, StatsPoller, counterDelta, normaliseStats, toStatsMap, type StatsInput, type StatsSample, videoLossBetween } from './stats.js';

describe('normaliseStats', () => {
  it('reads a first Chromium report: counters, sizes, codec, selected pair; no rates yet', () => {
    const sample = normaliseStats(chromiumFirst);
    expect(sample.timestamp).toBe(1_700_000_000_000);
    expect(sample.outbound.video).toEqual({
      id: 'OT01V2718281828',
      timestamp: 1_700_000_000_000,
      bytesSent: 1_000_000,
      framesEncoded: 300,
      framesPerSecond: 30, // the browser's own, as there is no previous sample
      frameWidth: 640,
      frameHeight: 480,
      qualityLimitationReason: 'bandwidth',
      encoderImplementation: 'libvpx',
      codec: 'video/VP8',
    });
    expect(sample.outbound.video?.bitrate).toBeUndefined();
    expect(sample.outbound.audio).toEqual({ id: 'OT01A1414213562', timestamp: 1_700_000_000_000, bytesSent: 40_000, codec: 'audio/opus' });
    expect(sample.inbound.video).toMatchObject({
      bytesReceived: 2_000_000,
      framesPerSecond: 24,
      frameWidth: 1280,
      frameHeight: 720,
      packetsLost: 10,
      packetsReceived: 1990,
      lossPercent: 0.5, // cumulative: 10 of 2000
      jitter: 0.012,
      freezeCount: 1,
      decoderImplementation: 'libvpx',
    });
    expect(sample.inbound.audio).toBeUndefined();
  });

  it('selects the candidate pair named by transport.selectedCandidatePairId', () => {
    expect(normaliseStats(chromiumFirst).candidatePair).toEqual({
      id: 'CPb3Jnq0V0_r4zAz7+B',
      localType: 'relay',
      remoteType: 'srflx',
      protocol: 'udp',
      relayProtocol: 'tls',
      rtt: 0.042,
      availableOutgoingBitrate: 1_250_000,
      local: '198.51.100.20:50123',
      remote: '203.0.113.7:61723',
      bytesSent: 1_090_000,
      bytesReceived: 2_040_000,
    });
  });

  it('computes bitrate, frame rate and loss from the deltas between two reports', () => {
    const first = normaliseStats(chromiumFirst);
    const second = normaliseStats(chromiumSecond, first);
    expect(second.outbound.video?.bitrate).toBe(1_000_000);
    expect(second.outbound.video?.framesPerSecond).toBe(29); // from framesEncoded, not the reported 30
    expect(second.outbound.audio?.bitrate).toBe(32_000);
    expect(second.inbound.video?.bitrate).toBe(2_000_000);
    expect(second.inbound.video?.framesPerSecond).toBe(24);
    expect(second.inbound.video?.lossPercent).toBe(5); // 5 lost of 100 in the interval
  });

  it('does not invent a rate from a counter reset or a repeated report', () => {
    const second = normaliseStats(chromiumSecond);
    const afterReset = normaliseStats(chromiumFirst, second); // bytes went down
    expect(afterReset.outbound.video?.bitrate).toBeUndefined();
    const same = normaliseStats(chromiumFirst, normaliseStats(chromiumFirst)); // zero interval
    expect(same.outbound.video?.bitrate).toBeUndefined();
    expect(same.outbound.video?.framesPerSecond).toBe(30);
  });

  it('does not compute deltas across different streams', () => {
    const first = normaliseStats(chromiumFirst);
    const renamed = new Map([...chromiumSecond].map(([id, s]) => (id === 'OT01V2718281828' ? ['OTnew', { ...s, id: 'OTnew' }] : [id, s])));
    expect(normaliseStats(renamed, first).outbound.video?.bitrate).toBeUndefined();
  });

  it('reads Firefox reports: selected pair without a transport entry, mediaType', () => {
    const sample = normaliseStats(firefoxReport);
    expect(sample.timestamp).toBe(1_700_000_000_500.25);
    expect(sample.inbound.video).toMatchObject({ bytesReceived: 500_000, framesPerSecond: 30, codec: 'video/H264', lossPercent: 0 });
    expect(sample.candidatePair).toMatchObject({ id: '{p1}', localType: 'host', remoteType: 'host', local: '192.168.1.23:52136' });
  });

  it('falls back to the nominated, succeeded pair, and brackets IPv6 endpoints', () => {
    const withoutTransport = new Map([...chromiumFirst].filter(([, s]) => s.type !== 'transport'));
    withoutTransport.set('CPb3Jnq0V0_r4zAz7+B', { ...withoutTransport.get('CPb3Jnq0V0_r4zAz7+B'), remoteCandidateId: 'Iremotehost' });
    expect(normaliseStats(withoutTransport).candidatePair).toMatchObject({ id: 'CPb3Jnq0V0_r4zAz7+B', remote: '[fd12:3456:789a::1]:9' });
  });

  it('accepts a Map, an array of stats, an array of entries, and an id-keyed object', () => {
    const fromMap = normaliseStats(chromiumFirst);
    expect(normaliseStats([...chromiumFirst.values()])).toEqual(fromMap);
    expect(normaliseStats([...chromiumFirst.entries()])).toEqual(fromMap);
    expect(normaliseStats(Object.fromEntries(chromiumFirst) as StatsInput)).toEqual(fromMap);
    expect(toStatsMap(firefoxReport).size).toBe(6);
  });

  it('returns an empty sample for an empty report', () => {
    expect(normaliseStats(new Map())).toEqual({ timestamp: 0, outbound: {}, inbound: {} });
  });
});

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.last()).toBeUndefined();
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.length).toBe(3);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect([...ring]).toEqual([3, 4, 5]);
    expect(ring.at(0)).toBe(3);
    expect(ring.at(-1)).toBe(5);
    expect(ring.last()).toBe(5);
    expect(ring.at(3)).toBeUndefined();
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(9);
    expect(ring.toArray()).toEqual([9]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
  });
});

describe('StatsPoller', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls on an interval, emits samples with rates from the previous one, and stops', async () => {
    vi.useFakeTimers();
    const reports = [chromiumFirst, chromiumSecond];
    let calls = 0;
    const poller = new StatsPoller({ getStats: async () => reports[Math.min(calls++, 1)] as StatsInput }, { intervalMs: 1000, historySize: 5 });
    const samples: StatsSample[] = [];
    poller.on('sample', (s) => samples.push(s));
    const stop = poller.start();
    expect(poller.running).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(samples).toHaveLength(2);
    expect(samples[1]?.outbound.video?.bitrate).toBe(1_000_000);
    expect(poller.latest).toBe(samples[1]);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(samples).toHaveLength(2);
    expect(poller.running).toBe(false);
  });

  it('never overlaps polls', async () => {
    let resolve: (value: StatsInput) => void = () => {};
    let calls = 0;
    const poller = new StatsPoller({ getStats: () => ((calls += 1), new Promise<StatsInput>((r) => (resolve = r))) });
    const first = poller.poll();
    expect(await poller.poll()).toBeUndefined();
    resolve(chromiumFirst);
    expect((await first)?.timestamp).toBe(1_700_000_000_000);
    expect(calls).toBe(1);
  });

  it('reports a failing getStats as STATS_FAILED and keeps going', async () => {
    let fail = true;
    const poller = new StatsPoller(
      { getStats: async () => { if (fail) throw new DOMException('closed', 'InvalidStateError'); return chromiumFirst; } },
      { logger: silentLogger },
    );
    const errors: WorkbenchError[] = [];
    poller.on('error', (e) => errors.push(e));
    expect(await poller.poll()).toBeUndefined();
    expect(errors[0]?.code).toBe(ErrorCode.StatsFailed);
    expect(errors[0]?.message).toContain('closed');
    fail = false;
    expect(await poller.poll()).toBeDefined();
  });
});

describe('videoLossBetween', () => {
  it('counts RTX packets out of packetsReceived: the quality lab\'s 10 % window reads 9.5 %, not 5.5 %', () => {
    // Chromium at 10 % injected loss (quality lab, 2026-12-05): 3,779 received of which 1,691
    // retransmissions, 220 lost. Lost over lost + received said 5.5 %; audio said 8.9 %.
    const loss = videoLossBetween(
      { packetsLost: 435, packetsReceived: 17010, retransmittedPacketsReceived: 2290 },
      { packetsLost: 215, packetsReceived: 13231, retransmittedPacketsReceived: 599 },
    );
    expect(loss?.packets).toBe(220 + 3779 - 1691);
    expect(loss?.wirePercent).toBeCloseTo((220 / 2308) * 100, 10);
    expect(loss?.wirePercent).toBeGreaterThan(9);
  });

  it('takes the retransmitted and FEC-used packets off the lost ones for what stayed missing', () => {
    // Interval: 1,900 media packets arrived the first time and 100 did not (2,000 on the wire, 5 %);
    // 90 came back over RTX (so packetsReceived grew by 1,990) and 4 through FEC (10 FEC packets,
    // 6 not needed): 6 of 2,000 were never repaired, 0.3 %.
    const before = { packetsLost: 20, packetsReceived: 8000, retransmittedPacketsReceived: 15, fecPacketsReceived: 30, fecPacketsDiscarded: 30 };
    const after = { packetsLost: 120, packetsReceived: 9990, retransmittedPacketsReceived: 105, fecPacketsReceived: 40, fecPacketsDiscarded: 36 };
    const loss = videoLossBetween(after, before);
    expect(loss?.packets).toBe(2000);
    expect(loss?.wirePercent).toBeCloseTo(5, 10);
    expect(loss?.afterRecoveryPercent).toBeCloseTo(0.3, 10);
  });

  it('counts since the start without a previous reading, and clamps to 0 when more came back than was missing', () => {
    expect(videoLossBetween({ packetsLost: 10, packetsReceived: 994, retransmittedPacketsReceived: 4 })?.afterRecoveryPercent).toBeCloseTo(0.6, 10);
    // Probing resends count as retransmissions too: more of them than losses leaves nothing missing.
    expect(videoLossBetween({ packetsLost: 2, packetsReceived: 103, retransmittedPacketsReceived: 5 })).toEqual({ packets: 100, wirePercent: 2, afterRecoveryPercent: 0 });
  });

  it('has no after-recovery figure where nothing says what was recovered, and nothing without the counters', () => {
    expect(videoLossBetween({ packetsLost: 10, packetsReceived: 990 })).toEqual({ packets: 1000, wirePercent: 1 });
    expect(videoLossBetween({ packetsReceived: 990, retransmittedPacketsReceived: 0 })).toBeUndefined();
  });

  it('is read from inbound video by normaliseStats with the recovery counters', () => {
    const report = (lost: number, received: number, rtx: number, timestamp: number) => [
      { id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp, bytesReceived: received * 1000, packetsLost: lost, packetsReceived: received, nackCount: rtx + 3, retransmittedPacketsReceived: rtx },
    ];
    const first = normaliseStats(report(0, 1000, 0, 1000));
    // 950 media packets arrived and 50 did not; 45 of those came back over RTX.
    const second = normaliseStats(report(50, 1995, 45, 2000), first);
    expect(second.inbound.video).toMatchObject({ lossPercent: 5, lossAfterRecoveryPercent: 0.5, nackCount: 48, retransmittedPacketsReceived: 45 });
  });
});

describe('audio receive counters', () => {
  const T0 = 1_700_000_000_000;
  function report(t: number, fields: Record<string, number>, id = 'IA1'): Map<string, Record<string, unknown>> {
    return new Map([[id, { id, type: 'inbound-rtp', kind: 'audio', timestamp: t, bytesReceived: 0, ...fields }]]);
  }

  it('turns the cumulative counters into interval figures', () => {
    const first = normaliseStats(
      report(T0, { totalSamplesReceived: 48_000, concealedSamples: 0, concealmentEvents: 0, insertedSamplesForDeceleration: 0, removedSamplesForAcceleration: 0, packetsDiscarded: 0, jitterBufferDelay: 2400, jitterBufferEmittedCount: 48_000, audioLevel: 0.1 }),
    );
    expect(first.inbound.audio?.audioLevelDbfs).toBeCloseTo(-20, 6);
    expect(first.inbound.audio?.concealedPercent).toBeUndefined(); // no interval yet
    // One second later: 48 000 samples, of which 960 (2 %) concealed in 3 events, 480 (1 %) inserted,
    // 240 (0.5 %) removed, 2 packets discarded; jitterBufferDelay (the sum of each sample's wait) grew by 1440 s over 48 000 samples: 30 ms each.
    const second = normaliseStats(
      report(T0 + 1000, { bytesReceived: 4000, totalSamplesReceived: 96_000, concealedSamples: 960, concealmentEvents: 3, insertedSamplesForDeceleration: 480, removedSamplesForAcceleration: 240, packetsDiscarded: 2, jitterBufferDelay: 3840, jitterBufferEmittedCount: 96_000 }),
      first,
    );
    expect(second.inbound.audio).toMatchObject({
      bitrate: 32_000,
      concealedPercent: 2,
      concealmentEventsDelta: 3,
      insertedPercent: 1,
      removedPercent: 0.5,
      packetsDiscardedDelta: 2,
    });
    expect(second.inbound.audio?.jitterBufferDelayInterval).toBeCloseTo(0.03, 9);
    expect(second.inbound.audio?.counterResets).toBeUndefined();
  });

  it('continues across a counter restart instead of drawing a negative step (a sawtooth)', () => {
    const before = normaliseStats(report(T0, { bytesReceived: 100_000, totalSamplesReceived: 480_000, concealedSamples: 4800, concealmentEvents: 10 }));
    // The receiver restarted: counters begin again from 0 and reached these values in the 1 s interval.
    const after = normaliseStats(report(T0 + 1000, { bytesReceived: 4000, totalSamplesReceived: 48_000, concealedSamples: 480, concealmentEvents: 1 }), before);
    expect(after.inbound.audio).toMatchObject({ bitrate: 32_000, concealedPercent: 1, concealmentEventsDelta: 1, counterResets: 1 });
    // The next interval is ordinary again, and the reset stays counted.
    const next = normaliseStats(report(T0 + 2000, { bytesReceived: 8000, totalSamplesReceived: 96_000, concealedSamples: 480, concealmentEvents: 1 }), after);
    expect(next.inbound.audio).toMatchObject({ bitrate: 32_000, concealedPercent: 0, concealmentEventsDelta: 0, counterResets: 1 });
  });

  it('treats a new stream id as the same audio restarted, and continues the send bitrate the same way', () => {
    const before = normaliseStats(report(T0, { bytesReceived: 100_000 }));
    const after = normaliseStats(report(T0 + 1000, { bytesReceived: 4000 }, 'IA2'), before);
    expect(after.inbound.audio).toMatchObject({ id: 'IA2', bitrate: 32_000, counterResets: 1 });
    const out = (t: number, bytesSent: number) => new Map([['OA', { id: 'OA', type: 'outbound-rtp', kind: 'audio', timestamp: t, bytesSent }]]);
    const sent = normaliseStats(out(T0 + 1000, 2000), normaliseStats(out(T0, 90_000)));
    expect(sent.outbound.audio?.bitrate).toBe(16_000);
  });

  it('reads the far end\'s receiver reports as the send direction\'s jitter, loss and round trip', () => {
    const sample = normaliseStats(
      new Map([['RIA', { id: 'RIA', type: 'remote-inbound-rtp', kind: 'audio', timestamp: T0, jitter: 0.004, fractionLost: 0.02, packetsLost: 3, roundTripTime: 0.05 }]]),
    );
    expect(sample.remoteInbound?.audio).toEqual({ id: 'RIA', jitter: 0.004, lossPercent: 2, packetsLost: 3, rtt: 0.05 });
    expect(sample.remoteInbound?.video).toBeUndefined();
  });
});

describe('counterDelta', () => {
  it('is the increase, or the new value after a restart', () => {
    expect(counterDelta(15, 10)).toEqual({ delta: 5, reset: false });
    expect(counterDelta(3, 10)).toEqual({ delta: 3, reset: true });
    expect(counterDelta(undefined, 10)).toEqual({ delta: undefined, reset: false });
  });
});
