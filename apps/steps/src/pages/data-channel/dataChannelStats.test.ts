import { describe, expect, it } from 'vitest';
import { bothEndsCounters, dataChannelCounters } from './dataChannelStats.js';

// Shaped like Chromium's getStats() entries (ids and fields as it reports them).
const report = new Map<string, Record<string, unknown>>([
  ['T01', { id: 'T01', type: 'transport', bytesSent: 9999 }],
  ['D1', { id: 'D1', type: 'data-channel', label: 'sendDataChannel', dataChannelIdentifier: 1, state: 'open', messagesSent: 2, bytesSent: 11, messagesReceived: 0, bytesReceived: 0 }],
  ['D3', { id: 'D3', type: 'data-channel', label: 'sendDataChannel', dataChannelIdentifier: 3, state: 'closed', messagesSent: 7, bytesSent: 70 }],
  ['D5', { id: 'D5', type: 'data-channel', label: 'other', dataChannelIdentifier: 5, messagesReceived: 4, bytesReceived: 40 }],
]);

describe('dataChannelCounters', () => {
  it('reads the counters of the channel with the label, ignoring other stats types', () => {
    expect(dataChannelCounters(report, 'other')).toEqual({ bytesSent: 0, bytesReceived: 40, messagesSent: 0, messagesReceived: 4 });
  });

  it('tells apart two channels with the same label by their SCTP id', () => {
    expect(dataChannelCounters(report, 'sendDataChannel', 3)).toMatchObject({ bytesSent: 70, messagesSent: 7, state: 'closed' });
    expect(dataChannelCounters(report, 'sendDataChannel', 1)).toMatchObject({ bytesSent: 11, messagesSent: 2, state: 'open' });
  });

  it('is undefined when the browser reports no such channel', () => {
    expect(dataChannelCounters(report, 'missing')).toBeUndefined();
    expect(dataChannelCounters(new Map(), 'sendDataChannel')).toBeUndefined();
  });
});

describe('bothEndsCounters', () => {
  it("reads the sender's counters from the sender's report and the receiver's from the receiver's", async () => {
    const receiving = new Map([['D1', { type: 'data-channel', label: 'sendDataChannel', dataChannelIdentifier: 1, messagesReceived: 2, bytesReceived: 11 }]]);
    const both = await bothEndsCounters({ getStats: async () => report }, { getStats: async () => receiving }, 'sendDataChannel', 1);
    expect(both.sent).toMatchObject({ bytesSent: 11, messagesSent: 2 });
    expect(both.received).toMatchObject({ bytesReceived: 11, messagesReceived: 2, bytesSent: 0 });
  });
});
