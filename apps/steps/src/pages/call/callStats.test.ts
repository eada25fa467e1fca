import type { StatsSample } from '@workbench/core/stats';
import { describe, expect, it } from 'vitest';
import { formatBitrate, formatRoundTripTime, viewCallStats } from './callStats.js';

describe('formatBitrate', () => {
  it('uses kbit/s below 1 Mbit/s and Mbit/s above', () => {
    expect(formatBitrate(undefined)).toBe('—');
    expect(formatBitrate(0)).toBe('0 kbit/s');
    expect(formatBitrate(312_600)).toBe('313 kbit/s');
    expect(formatBitrate(2_504_000)).toBe('2.50 Mbit/s');
  });
});

describe('formatRoundTripTime', () => {
  it('turns seconds into milliseconds, with a decimal when tiny (loopback)', () => {
    expect(formatRoundTripTime(undefined)).toBe('—');
    expect(formatRoundTripTime(0.0004)).toBe('0.4 ms');
    expect(formatRoundTripTime(0.0523)).toBe('52 ms');
  });
});

describe('viewCallStats', () => {
  it('shows dashes before the first sample', () => {
    expect(viewCallStats(undefined)).toEqual({
      candidatePair: '—',
      roundTripTime: '—',
      bitrateOut: '—',
      bitrateIn: '—',
      receivedResolution: '—',
    });
  });

  it('reads pair type, RTT, bitrates (video + audio) and the decoded size', () => {
    const sample: StatsSample = {
      timestamp: 2000,
      outbound: { video: { id: 'o', timestamp: 2000, bytesSent: 1, bitrate: 800_000 }, audio: { id: 'oa', timestamp: 2000, bytesSent: 1, bitrate: 32_000 } },
      inbound: { video: { id: 'i', timestamp: 2000, bytesReceived: 1, bitrate: 650_000, frameWidth: 640, frameHeight: 480, framesPerSecond: 29.7 } },
      candidatePair: { id: 'p', localType: 'host', remoteType: 'srflx', protocol: 'udp', rtt: 0.012 },
    };
    expect(viewCallStats(sample)).toEqual({
      candidatePair: 'host ↔ srflx (udp)',
      roundTripTime: '12 ms',
      bitrateOut: '832 kbit/s',
      bitrateIn: '650 kbit/s',
      receivedResolution: '640×480 at 30 fps',
    });
  });

  it('names the TURN transport of a relayed pair', () => {
    const sample: StatsSample = {
      timestamp: 1,
      outbound: {},
      inbound: {},
      candidatePair: { id: 'p', localType: 'relay', remoteType: 'host', protocol: 'udp', relayProtocol: 'tcp' },
    };
    expect(viewCallStats(sample).candidatePair).toBe('relay ↔ host (udp, TURN over tcp)');
  });
});
