// Unit tests for quality: the E-model against worked examples computed by hand, grades at their
// boundaries, scoring a sample, and the timeline events and limitation bands derived from samples.
import { describe, expect, it } from 'vitest';
import {
  directionalScores,
  E_MODEL,
  QUALITY_THRESHOLDS,
  eModel,
  gradeOf,
  limitationBands,
  mosFromR,
  qualityOf,
  sampleEvents,
  stateEvent,
} from './quality.js';
import type { StatsSample } from '../../connection/stats.js';

describe('eModel: worked examples (ITU-T G.107, simplified)', () => {
  it('a perfect line: RTT 0, jitter 0, no loss', () => {
    // Ta = 0/2 + 2·0 + 10 = 10 ms
    // Id = 0.024·10 = 0.24 (Ta below the 177.3 ms knee)
    // Ie,eff = 0 + 95·0/(0 + 25.1) = 0
    // R = 93.2 − 0.24 − 0 = 92.96
    // MOS = 1 + 0.035·92.96 + 92.96·32.96·7.04·7e-6 = 1 + 3.2536 + 0.150992 = 4.404592
    const result = eModel({ rttMs: 0, jitterMs: 0, lossPercent: 0 });
    expect(result.delayMs).toBe(10);
    expect(result.delayImpairment).toBeCloseTo(0.24, 10);
    expect(result.lossImpairment).toBe(0);
    expect(result.r).toBeCloseTo(92.96, 10);
    expect(result.mos).toBeCloseTo(4.404592, 5);
  });

  it('a good call: RTT 100 ms, jitter 10 ms, 1 % loss', () => {
    // Ta = 100/2 + 2·10 + 10 = 80 ms;  Id = 0.024·80 = 1.92
    // Ie,eff = 95·1/(1/1 + 25.1) = 95/26.1 = 3.639847
    // R = 93.2 − 1.92 − 3.639847 = 87.640153
    // MOS = 1 + 0.035·87.640153 + 87.640153·27.640153·12.359847·7e-6
    //     = 1 + 3.067405 + 0.209582 = 4.276988
    const result = eModel({ rttMs: 100, jitterMs: 10, lossPercent: 1 });
    expect(result.delayMs).toBe(80);
    expect(result.delayImpairment).toBeCloseTo(1.92, 10);
    expect(result.lossImpairment).toBeCloseTo(3.639847, 5);
    expect(result.r).toBeCloseTo(87.640153, 5);
    expect(result.mos).toBeCloseTo(4.276988, 5);
  });

  it('past the delay knee: RTT 400 ms, jitter 30 ms, 5 % loss', () => {
    // Ta = 200 + 60 + 10 = 270 ms
    // Id = 0.024·270 + 0.11·(270 − 177.3) = 6.48 + 10.197 = 16.677
    // Ie,eff = 95·5/(5 + 25.1) = 475/30.1 = 15.780731
    // R = 93.2 − 16.677 − 15.780731 = 60.742269
    // MOS = 1 + 2.125979 + 60.742269·0.742269·39.257731·7e-6 = 1 + 2.125979 + 0.012391 = 3.138370
    const result = eModel({ rttMs: 400, jitterMs: 30, lossPercent: 5 });
    expect(result.delayImpairment).toBeCloseTo(16.677, 10);
    expect(result.lossImpairment).toBeCloseTo(15.780731, 5);
    expect(result.r).toBeCloseTo(60.742269, 5);
    expect(result.mos).toBeCloseTo(3.13837, 5);
  });

  it('heavy loss: RTT 300 ms, jitter 20 ms, 10 % loss', () => {
    // Ta = 150 + 40 + 10 = 200;  Id = 4.8 + 0.11·22.7 = 7.297
    // Ie,eff = 950/35.1 = 27.065527;  R = 93.2 − 7.297 − 27.065527 = 58.837473
    // MOS = 1 + 2.059312 + 58.837473·(−1.162527)·41.162527·7e-6 = 3.059312 − 0.019709 = 3.039603
    const result = eModel({ rttMs: 300, jitterMs: 20, lossPercent: 10 });
    expect(result.r).toBeCloseTo(58.837473, 5);
    expect(result.mos).toBeCloseTo(3.039603, 5);
  });

  it('an unusable line bottoms out at MOS 1 (R below 0)', () => {
    // Ta = 1000 + 200 + 10 = 1210: Id = 29.04 + 113.597 = 142.637; Ie,eff = 4750/75.1 = 63.249; R = −112.686
    const result = eModel({ rttMs: 2000, jitterMs: 100, lossPercent: 50 });
    expect(result.r).toBeCloseTo(-112.686, 3);
    expect(result.mos).toBe(1);
  });

  it('clamps nonsense input instead of rewarding it', () => {
    expect(eModel({ rttMs: -50, jitterMs: -1, lossPercent: -3 })).toEqual(eModel({ rttMs: 0, jitterMs: 0, lossPercent: 0 }));
    expect(eModel({ rttMs: 0, jitterMs: 0, lossPercent: 250 }).lossImpairment).toBeCloseTo((95 * 100) / 125.1, 10);
  });

  it('mosFromR follows G.107 Annex B and clamps at 1 and 4.5', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(120)).toBe(4.5);
    // R = 50: 1 + 1.75 + 50·(−10)·50·7e-6 = 2.75 − 0.175 = 2.575
    expect(mosFromR(50)).toBeCloseTo(2.575, 10);
    // R = 80: 1 + 2.8 + 80·20·20·7e-6 = 3.8 + 0.224 = 4.024
    expect(mosFromR(80)).toBeCloseTo(4.024, 10);
  });

  it('documents the constants it uses', () => {
    expect(E_MODEL).toMatchObject({ baseR: 93.2, codecDelayMs: 10, jitterBufferFactor: 2, delayKneeMs: 177.3, ie: 0, bpl: 25.1, burstR: 1 });
  });
});

describe('gradeOf', () => {
  it('grades lower-is-better metrics with boundaries in the better grade', () => {
    expect(gradeOf('rtt', 0)).toBe('excellent');
    expect(gradeOf('rtt', 100)).toBe('excellent');
    expect(gradeOf('rtt', 100.1)).toBe('good');
    expect(gradeOf('rtt', 300)).toBe('fair');
    expect(gradeOf('rtt', 301)).toBe('poor');
    expect(gradeOf('loss', 0.5)).toBe('excellent');
    expect(gradeOf('loss', 2)).toBe('good');
    expect(gradeOf('loss', 4.9)).toBe('fair');
    expect(gradeOf('loss', 12)).toBe('poor');
    expect(gradeOf('jitter', 29)).toBe('good');
  });

  it('grades MOS higher-is-better at the MOS of R = 90, 80 and 70', () => {
    expect(QUALITY_THRESHOLDS.mos.excellent).toBeCloseTo(4.339, 3); // 1 + 3.15 + 90·30·10·7e-6 = 4.339
    expect(gradeOf('mos', 4.404592)).toBe('excellent');
    expect(gradeOf('mos', mosFromR(90))).toBe('excellent');
    expect(gradeOf('mos', mosFromR(89.9))).toBe('good');
    expect(gradeOf('mos', mosFromR(75))).toBe('fair');
    expect(gradeOf('mos', mosFromR(69))).toBe('poor');
  });
});

function sample(overrides: Partial<StatsSample> & { timestamp: number }): StatsSample {
  return { outbound: {}, inbound: {}, ...overrides };
}

describe('qualityOf', () => {
  it('scores RTT from the pair and jitter/loss from inbound audio, in ms and percent', () => {
    const score = qualityOf(
      sample({
        timestamp: 5000,
        candidatePair: { id: 'CP1', rtt: 0.1 },
        inbound: {
          audio: { id: 'IA', timestamp: 5000, bytesReceived: 1, jitter: 0.01, lossPercent: 1 },
          video: { id: 'IV', timestamp: 5000, bytesReceived: 1, jitter: 0.05, lossPercent: 9 },
        },
      }),
    );
    expect(score).toMatchObject({ timestamp: 5000, rttMs: 100, jitterMs: 10, lossPercent: 1, from: 'audio' });
    expect(score?.emodel.mos).toBeCloseTo(4.276988, 5);
    expect(score?.grades).toEqual({ mos: 'good', rtt: 'excellent', jitter: 'excellent', loss: 'good' });
  });

  it('falls back to inbound video when there is no audio, and is undefined until RTT is known', () => {
    const video = { id: 'IV', timestamp: 1, bytesReceived: 1, jitter: 0.002, lossPercent: 0 };
    expect(qualityOf(sample({ timestamp: 1, inbound: { video } }))).toBeUndefined();
    const score = qualityOf(sample({ timestamp: 1, candidatePair: { id: 'CP', rtt: 0.001 }, inbound: { video } }));
    expect(score?.from).toBe('video');
    expect(score?.jitterMs).toBe(2);
  });

  it("scores video by its loss after NACK/FEC recovery, not packetsLost's wire figure", () => {
    // 5 % dropped on the wire, 4.8 points of it retransmitted in time: the viewer lost 0.2 %.
    const video = { id: 'IV', timestamp: 1, bytesReceived: 1, jitter: 0.002, lossPercent: 5, lossAfterRecoveryPercent: 0.2 };
    const score = qualityOf(sample({ timestamp: 1, candidatePair: { id: 'CP', rtt: 0.001 }, inbound: { video } }));
    expect(score?.lossPercent).toBe(0.2);
    // Without the recovery counters (a browser that reports none), packetsLost's figure is all there is.
    const plain = qualityOf(sample({ timestamp: 1, candidatePair: { id: 'CP', rtt: 0.001 }, inbound: { video: { ...video, lossAfterRecoveryPercent: undefined } } }));
    expect(plain?.lossPercent).toBe(5);
  });
});

describe('sampleEvents', () => {
  const first = sample({
    timestamp: 1000,
    candidatePair: { id: 'CP1', localType: 'host', remoteType: 'host', protocol: 'udp', local: '10.0.0.1:5000', remote: '10.0.0.2:6000' },
    outbound: {
      video: { id: 'OV', timestamp: 1000, bytesSent: 1, codec: 'video/VP8', encoderImplementation: 'libvpx', frameWidth: 320, frameHeight: 240, qualityLimitationReason: 'none' },
      audio: { id: 'OA', timestamp: 1000, bytesSent: 1, codec: 'audio/opus' },
    },
    inbound: { video: { id: 'IV', timestamp: 1000, bytesReceived: 1, frameWidth: 320, frameHeight: 240, codec: 'video/VP8' } },
  });

  it('marks where things started on the first sample', () => {
    const kinds = sampleEvents(undefined, first).map((e) => `${e.kind}: ${e.label}`);
    expect(kinds).toEqual([
      'candidate-pair: pair host→host',
      'codec: send VP8',
      'codec: send opus',
      'codec: receive VP8',
      'encoder: encoder libvpx',
      'resolution: sent 320×240',
      'resolution: received 320×240',
    ]);
  });

  it('marks only what changed, with the old and new value', () => {
    const next = sample({
      ...first,
      timestamp: 2000,
      candidatePair: { id: 'CP2', localType: 'relay', remoteType: 'host', protocol: 'udp', relayProtocol: 'tcp', local: '1.2.3.4:3478', remote: '10.0.0.2:6000' },
      outbound: {
        ...first.outbound,
        video: { id: 'OV', timestamp: 2000, bytesSent: 2, codec: 'video/VP9', encoderImplementation: 'libvpx', frameWidth: 640, frameHeight: 480, qualityLimitationReason: 'bandwidth' },
      },
    });
    const events = sampleEvents(first, next);
    expect(events.map((e) => [e.kind, e.label])).toEqual([
      ['candidate-pair', 'pair relay→host'],
      ['quality-limitation', 'limit: bandwidth'],
      ['codec', 'send VP9'],
      ['resolution', 'sent 640×480'],
    ]);
    expect(events.every((e) => e.at === 2000)).toBe(true);
    expect(events[0]?.detail).toBe('Switched to candidate pair relay→host over udp (TURN over tcp): 1.2.3.4:3478 ⇄ 10.0.0.2:6000.');
    expect(events[2]?.detail).toBe('Send video codec changed from video/VP8 to video/VP9.');
    expect(events[3]?.detail).toBe('Sent resolution changed from 320×240 to 640×480.');
  });

  it('a stream missing from one sample is no event, and identical samples give none', () => {
    expect(sampleEvents(first, { ...first, timestamp: 2000 })).toEqual([]);
    expect(sampleEvents(first, sample({ timestamp: 2000 }))).toEqual([]);
  });

  it('stateEvent names the property that changed', () => {
    expect(stateEvent('ice', 'checking', 5)).toEqual({ at: 5, kind: 'ice', label: 'ice checking', detail: 'iceConnectionState → checking.' });
    expect(stateEvent('connection', 'connected', 6).label).toBe('pc connected');
  });
});

describe('limitationBands', () => {
  const withReason = (timestamp: number, reason?: string): StatsSample =>
    sample({ timestamp, outbound: reason === undefined ? {} : { video: { id: 'OV', timestamp, bytesSent: 0, qualityLimitationReason: reason } } });

  it('joins consecutive samples with the same reason and ends a band at the first sample without it', () => {
    const samples = [
      withReason(0, 'none'),
      withReason(1000, 'bandwidth'),
      withReason(2000, 'bandwidth'),
      withReason(3000), // no outbound video this time: neither ends nor starts a band
      withReason(4000, 'cpu'),
      withReason(5000, 'none'),
      withReason(6000, 'bandwidth'),
    ];
    expect(limitationBands(samples)).toEqual([
      { from: 1000, to: 4000, reason: 'bandwidth' },
      { from: 4000, to: 5000, reason: 'cpu' },
      { from: 6000, to: 6000, reason: 'bandwidth' },
    ]);
  });

  it('has no band for a call that was never limited', () => {
    expect(limitationBands([withReason(0, 'none'), withReason(1000, 'none')])).toEqual([]);
    expect(limitationBands([])).toEqual([]);
  });
});

describe('directionalScores', () => {
  const base = { timestamp: 1, outbound: {}, inbound: {} };

  it('scores receive from inbound and send from the far end\'s reports, naming what costs most', () => {
    const scores = directionalScores({
      ...base,
      candidatePair: { id: 'p', rtt: 0.1 },
      inbound: { audio: { id: 'a', timestamp: 1, bytesReceived: 1, jitter: 0.005, lossPercent: 5 } },
      remoteInbound: { audio: { id: 'r', jitter: 0.04, lossPercent: 0, rtt: 0.1 } },
    });
    expect(scores.map((s) => `${s.direction} ${s.medium}`)).toEqual(['receive audio', 'send audio']);
    const [receive, send] = scores;
    // Receive: Ta = 50 + 10 + 10 = 70 ms, Id = 1.68; RTT's share 50/70 → 1.2, jitter's 10/70 → 0.24.
    // Loss: Ie,eff = 95·5/(5 + 25.1) = 15.78: loss costs most.
    expect(receive?.cost.rtt).toBeCloseTo(1.2, 6);
    expect(receive?.cost.jitter).toBeCloseTo(0.24, 6);
    expect(receive?.cost.loss).toBeCloseTo(15.78, 2);
    expect(receive?.limitedBy).toBe('loss');
    // Send: Ta = 50 + 80 + 10 = 140 ms, Id = 3.36; jitter's share 80/140 → 1.92 beats RTT's 1.2; no loss.
    expect(send?.cost.jitter).toBeCloseTo(1.92, 6);
    expect(send?.limitedBy).toBe('jitter');
    expect(send?.emodel.mos).toBeGreaterThan(receive?.emodel.mos ?? 5);
  });

  it('leaves out a direction until its inputs are reported', () => {
    expect(directionalScores({ ...base, inbound: { video: { id: 'v', timestamp: 1, bytesReceived: 1, jitter: 0.01, lossPercent: 0 } } })).toEqual([]);
  });
});
