// Unit tests for mergeLoopbackReports: pc1's outbound side and selected pair, pc2's inbound streams
// with their codecs, and no id of pc2's replacing one of pc1's.
import { normaliseStats } from '@workbench/core/stats';
import { describe, expect, it } from 'vitest';
import { RECEIVER_PREFIX, mergeLoopbackReports } from './loopbackStats.js';

const sender = new Map<string, Record<string, unknown>>([
  ['OT01V1', { id: 'OT01V1', type: 'outbound-rtp', kind: 'video', timestamp: 1000, bytesSent: 5000, codecId: 'COT01_96' }],
  ['COT01_96', { id: 'COT01_96', type: 'codec', mimeType: 'video/VP8', timestamp: 1000 }],
  ['T01', { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1', timestamp: 1000 }],
  ['CP1', { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.004, availableOutgoingBitrate: 2e6, localCandidateId: 'L1', remoteCandidateId: 'R1', timestamp: 1000 }],
  ['L1', { id: 'L1', type: 'local-candidate', candidateType: 'host', timestamp: 1000 }],
  ['R1', { id: 'R1', type: 'remote-candidate', candidateType: 'host', timestamp: 1000 }],
]);
const receiver = new Map<string, Record<string, unknown>>([
  ['IT01V1', { id: 'IT01V1', type: 'inbound-rtp', kind: 'video', timestamp: 1001, bytesReceived: 4900, frameWidth: 640, frameHeight: 480, codecId: 'CIT01_96' }],
  ['CIT01_96', { id: 'CIT01_96', type: 'codec', mimeType: 'video/VP9', timestamp: 1001 }],
  // Same ids as pc1's: must not replace them.
  ['T01', { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP2', timestamp: 1001 }],
  ['CP2', { id: 'CP2', type: 'candidate-pair', currentRoundTripTime: 0.5, localCandidateId: 'L2', remoteCandidateId: 'R2', timestamp: 1001 }],
  ['COT01_96', { id: 'COT01_96', type: 'codec', mimeType: 'video/H264', timestamp: 1001 }],
]);

describe('mergeLoopbackReports', () => {
  it("keeps pc1's report whole and adds pc2's inbound streams and their codecs under a prefix", () => {
    const merged = mergeLoopbackReports(sender, receiver);
    expect([...merged.keys()]).toEqual([...sender.keys(), `${RECEIVER_PREFIX}CIT01_96`, `${RECEIVER_PREFIX}IT01V1`]);
    expect(merged.get('T01')?.selectedCandidatePairId).toBe('CP1');
    expect(merged.get('COT01_96')?.mimeType).toBe('video/VP8');
    expect(merged.get(`${RECEIVER_PREFIX}IT01V1`)).toMatchObject({ id: `${RECEIVER_PREFIX}IT01V1`, codecId: `${RECEIVER_PREFIX}CIT01_96` });
  });

  it('normalises into one sample with both directions and the sender’s pair', () => {
    const sample = normaliseStats(mergeLoopbackReports(sender, receiver));
    expect(sample.outbound.video).toMatchObject({ bytesSent: 5000, codec: 'video/VP8' });
    expect(sample.inbound.video).toMatchObject({ bytesReceived: 4900, frameWidth: 640, codec: 'video/VP9' });
    expect(sample.candidatePair).toMatchObject({ id: 'CP1', rtt: 0.004, availableOutgoingBitrate: 2e6, localType: 'host' });
  });

  it('leaves inbound streams without a codec id as they are', () => {
    const bare = new Map([['IT01A2', { id: 'IT01A2', type: 'inbound-rtp', kind: 'audio', bytesReceived: 10 }]]);
    const merged = mergeLoopbackReports(new Map(), bare);
    expect([...merged.values()]).toEqual([{ id: `${RECEIVER_PREFIX}IT01A2`, type: 'inbound-rtp', kind: 'audio', bytesReceived: 10 }]);
  });
});
