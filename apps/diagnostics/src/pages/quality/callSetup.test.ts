// Unit tests for the call setup helpers: the RTCConfiguration with and without relay-only.
// (Fetching /api/ice-servers, hasTurn and describeIceServers are core's, tested there.)
import { describe, expect, it } from 'vitest';
import { rtcConfiguration } from './callSetup.js';

const TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:workbench-ab', credential: 'c2VjcmV0' };

describe('rtcConfiguration', () => {
  it('sets the relay policy only when asked', () => {
    expect(rtcConfiguration([TURN], true)).toEqual({ iceServers: [TURN], iceTransportPolicy: 'relay' });
    expect(rtcConfiguration([], false).iceTransportPolicy).toBe('all');
  });
});
