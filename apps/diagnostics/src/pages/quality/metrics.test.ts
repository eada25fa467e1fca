// Unit tests for the metric table: units converted once (bps → kbps, s → ms), every chart line
// names a real metric, and chart points keep gaps where a sample lacks the metric.
import type { StatsSample } from '@workbench/core/stats';
import { describe, expect, it } from 'vitest';
import { CHARTS, METRIC, METRICS, pointsOf, unreportedMetrics } from './metrics.js';

const full: StatsSample = {
  timestamp: 3000,
  outbound: { video: { id: 'OV', timestamp: 3000, bytesSent: 1, bitrate: 640_000, frameHeight: 360, framesPerSecond: 30 }, audio: { id: 'OA', timestamp: 3000, bytesSent: 1, bitrate: 32_000 } },
  inbound: { audio: { id: 'IA', timestamp: 3000, bytesReceived: 1, bitrate: 31_000, jitter: 0.01, lossPercent: 1 } },
  candidatePair: { id: 'CP', rtt: 0.1, availableOutgoingBitrate: 2_500_000 },
};

describe('METRICS', () => {
  it('reads each metric in its unit', () => {
    expect(METRIC.videoOutKbps.read(full)).toBe(640);
    expect(METRIC.availableOutKbps.read(full)).toBe(2500);
    expect(METRIC.rttMs.read(full)).toBe(100);
    expect(METRIC.audioJitterMs.read(full)).toBe(10);
    expect(METRIC.audioLossPercent.read(full)).toBe(1);
    expect(METRIC.mos.read(full)).toBeCloseTo(4.276988, 5); // the worked example in core's quality tests
    expect(METRIC.videoInKbps.read(full)).toBeUndefined();
  });

  it('reads video loss twice: on the wire (packetsLost) and after NACK/FEC recovery', () => {
    const video: StatsSample = { ...full, inbound: { video: { id: 'IV', timestamp: 3000, bytesReceived: 1, lossPercent: 5, lossAfterRecoveryPercent: 0.4 } } };
    expect(METRIC.videoLossPercent.read(video)).toBe(5);
    expect(METRIC.videoLossAfterRecoveryPercent.read(video)).toBe(0.4);
    expect(METRIC.videoLossPercent.label).toBe('Video loss on the wire');
    expect(CHARTS.find((c) => c.id === 'loss')?.lines.map((l) => l.metric)).toEqual(['audioLossPercent', 'videoLossPercent', 'videoLossAfterRecoveryPercent']);
  });

  it('has unique keys and CSV columns, and every chart line refers to one', () => {
    expect(new Set(METRICS.map((m) => m.key)).size).toBe(METRICS.length);
    expect(new Set(METRICS.map((m) => m.column)).size).toBe(METRICS.length);
    for (const chart of CHARTS) for (const line of chart.lines) expect(METRIC[line.metric], `${chart.id}: ${line.metric}`).toBeDefined();
  });
});

describe('pointsOf', () => {
  it('places samples at seconds since the origin, with null where the metric is missing', () => {
    const empty: StatsSample = { timestamp: 4500, outbound: {}, inbound: {} };
    expect(pointsOf([full, empty], 'videoOutKbps', 1000)).toEqual([
      { x: 2, y: 640 },
      { x: 3.5, y: null },
    ]);
  });
});

describe('unreportedMetrics', () => {
  const withoutAvailable: StatsSample = { ...full, candidatePair: { id: 'CP', rtt: 0.1 } };
  const empty: StatsSample = { timestamp: 0, outbound: {}, inbound: {} };

  it('names a metric no sample of the running call has, once there are enough samples', () => {
    const five = [withoutAvailable, withoutAvailable, withoutAvailable, withoutAvailable, withoutAvailable];
    expect(unreportedMetrics(five, ['availableOutKbps', 'rttMs', 'videoOutKbps'])).toEqual(['availableOutKbps']);
    // One sample with the metric: the browser does report it.
    expect(unreportedMetrics([...five, full], ['availableOutKbps'])).toEqual([]);
  });

  it('says nothing before the call runs or with too few samples', () => {
    expect(unreportedMetrics([empty, empty, empty, empty, empty, empty], ['availableOutKbps'])).toEqual([]);
    expect(unreportedMetrics([withoutAvailable, withoutAvailable, empty, empty, empty], ['availableOutKbps'])).toEqual([]);
  });
});
