// Token buckets, metrics exposition and JSON log lines: the small pieces behind limits and observability.
import { describe, expect, it } from 'vitest';
import { createLogger, logFields } from './logger.js';
import { Histogram, SignalingMetrics } from './metrics.js';
import { assertRateLimit, TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the steady rate, never above the burst', () => {
    let now = 1000;
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('refuses limits that cannot work', () => {
    expect(assertRateLimit({ burst: 0, perSecond: 1 }, 'm')).toMatch(/burst/);
    expect(assertRateLimit({ burst: 1, perSecond: 0 }, 'm')).toMatch(/perSecond/);
    expect(assertRateLimit({ burst: 1, perSecond: 1 }, 'm')).toBeUndefined();
  });
});

describe('metrics', () => {
  it('counts each observation in the first bucket that holds it; exposition is cumulative', () => {
    const histogram = new Histogram([0.001, 0.01]);
    for (const value of [0.0005, 0.001, 0.005, 0.5]) histogram.observe(value);
    expect(histogram.counts).toEqual([2, 1]);
    expect(histogram.count).toBe(4);

    const metrics = new SignalingMetrics();
    metrics.relayLatency.observe(0.0004);
    metrics.relayLatency.observe(2);
    metrics.reject('rate_limited');
    metrics.reject('rate_limited');
    const text = metrics.render({ connectedClients: () => 7, rooms: () => 3 });
    expect(text).toContain('signaling_connected_clients 7\n');
    expect(text).toContain('signaling_rooms 3\n');
    expect(text).toContain('signaling_rejections_total{reason="rate_limited"} 2\n');
    expect(text).toContain('signaling_relay_latency_seconds_bucket{le="0.0005"} 1\n');
    expect(text).toContain('signaling_relay_latency_seconds_bucket{le="1"} 1\n');
    expect(text).toContain('signaling_relay_latency_seconds_bucket{le="+Inf"} 2\n');
  });
});

describe('logger', () => {
  it('writes one JSON object per line with level, name, message and fields, at or above its level', () => {
    const lines: [string, string][] = [];
    const logger = createLogger('info', 'signaling', { format: 'json', write: (level, line) => lines.push([level, line]) });
    logger.debug('hidden');
    logger.info('client joined', { room: 'a', client: 'x' });
    logger.error('failed', Object.assign(new Error('boom'), { code: 'E_BOOM' }));
    expect(lines.map(([level]) => level)).toEqual(['info', 'error']);
    const [joined, failed] = lines.map(([, line]) => JSON.parse(line) as Record<string, unknown>);
    expect(joined).toMatchObject({ level: 'info', name: 'signaling', msg: 'client joined', room: 'a', client: 'x' });
    expect(Date.parse(String(joined?.time))).not.toBeNaN();
    expect(failed).toMatchObject({ level: 'error', error: { name: 'Error', code: 'E_BOOM', message: 'boom' } });
  });

  it('survives details that JSON cannot hold, and keeps text format for people', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const lines: string[] = [];
    createLogger('debug', 'signaling', { format: 'json', write: (_level, line) => lines.push(line) }).warn('odd', cyclic);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'odd', details: '(unserialisable)' });
    createLogger('debug', 'signaling', { format: 'text', write: (_level, line) => lines.push(line) }).info('plain', { room: 'r' });
    expect(lines[1]).toBe('[signaling] plain {"room":"r"}');
    expect(logFields([1n, 'x'])).toEqual({ details: ['1', 'x'] });
  });
});
