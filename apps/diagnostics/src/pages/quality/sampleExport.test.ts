// Unit tests for the exports: the JSON document's shape, CSV columns from the page's metrics with
// RFC 4180 quoting, and file names that do not collide.
import { stateEvent } from '@workbench/core/quality';
import type { StatsSample } from '@workbench/core/stats';
import { describe, expect, it } from 'vitest';
import { METRICS } from './metrics.js';
import { exportFileName, samplesToCsv, samplesToJson } from './sampleExport.js';

const samples: StatsSample[] = [
  {
    timestamp: 10_000,
    outbound: { video: { id: 'OV', timestamp: 10_000, bytesSent: 1, frameWidth: 640, frameHeight: 480, qualityLimitationReason: 'none', codec: 'video/VP8' } },
    inbound: { audio: { id: 'IA', timestamp: 10_000, bytesReceived: 1, jitter: 0.0123, lossPercent: 0 } },
    candidatePair: { id: 'CP', localType: 'relay', remoteType: 'host', rtt: 0.05 },
  },
  {
    timestamp: 11_500,
    outbound: { video: { id: 'OV', timestamp: 11_500, bytesSent: 2, bitrate: 512_345, encoderImplementation: 'SimulcastEncoderAdapter (libvpx, "fallback")' } },
    inbound: {},
  },
];

describe('samplesToCsv', () => {
  const lines = samplesToCsv(samples).split('\r\n');

  it('has one header of time, timestamp, every metric column and the text columns', () => {
    expect(lines[0]).toBe(
      ['time_s', 'timestamp_ms', ...METRICS.map((m) => m.column), 'quality_limitation', 'send_video_codec', 'receive_video_codec', 'encoder', 'pair'].join(','),
    );
    expect(lines).toHaveLength(4); // header, two rows, the final CRLF
    expect(lines[3]).toBe('');
  });

  it('writes values in the metrics’ units, empty where a sample lacks one, and quotes text that needs it', () => {
    const header = lines[0]?.split(',') ?? [];
    const row = (index: number) => Object.fromEntries(header.map((name, i) => [name, lines[index]?.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[i]]));
    expect(row(1)).toMatchObject({ time_s: '0', timestamp_ms: '10000', sent_width: '640', rtt_ms: '50', audio_jitter_ms: '12.3', audio_loss_percent: '0', video_out_kbps: '', pair: 'relay->host', quality_limitation: 'none' });
    expect(row(2)).toMatchObject({ time_s: '1.5', video_out_kbps: '512.345', rtt_ms: '', encoder: '"SimulcastEncoderAdapter (libvpx, ""fallback"")"' });
  });

  it('is a header alone when there are no samples', () => {
    expect(samplesToCsv([]).split('\r\n')).toHaveLength(2);
  });
});

describe('samplesToJson', () => {
  it('keeps every sample and event with a format tag and version', () => {
    const events = [stateEvent('connection', 'connected', 9_000)];
    const parsed = JSON.parse(samplesToJson(samples, events, { source: 'loopback', userAgent: 'UA', now: new Date('2026-01-02T03:04:05.678Z') }));
    expect(parsed).toEqual({ format: 'webrtc-workbench/quality', version: 1, exportedAt: '2026-01-02T03:04:05.678Z', source: 'loopback', userAgent: 'UA', samples, events });
  });
});

describe('exportFileName', () => {
  it('names the file after the time, without characters some file systems refuse', () => {
    expect(exportFileName('csv', new Date('2026-01-02T03:04:05.678Z'))).toBe('call-quality-2026-01-02T03-04-05.csv');
  });
});
