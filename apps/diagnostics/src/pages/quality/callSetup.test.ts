// Unit tests for the call setup helpers: /api/ice-servers read without ever throwing, TURN
// detection for relay-only, credentials kept out of the log line, and the RTCConfiguration.
import { describe, expect, it } from 'vitest';
import { describeIceServers, fetchIceServers, hasTurn, rtcConfiguration } from './callSetup.js';

const TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:workbench-ab', credential: 'c2VjcmV0' };

function answering(body: unknown, status = 200): typeof fetch {
  return async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
}

describe('fetchIceServers', () => {
  it('returns the server’s list', async () => {
    expect(await fetchIceServers(answering({ iceServers: [{ urls: 'stun:stun.test:3478' }, TURN] }))).toEqual({ iceServers: [{ urls: 'stun:stun.test:3478' }, TURN] });
  });

  it('turns every failure into a problem sentence and an empty list', async () => {
    expect(await fetchIceServers(answering('nope', 500))).toEqual({ iceServers: [], problem: '/api/ice-servers answered HTTP 500.' });
    expect((await fetchIceServers(answering('<html>'))).problem).toMatch(/something other than/);
    expect((await fetchIceServers(answering({ iceServers: [{ urls: 42 }] }))).problem).toMatch(/something other than/);
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchIceServers(offline)).toEqual({ iceServers: [], problem: '/api/ice-servers could not be fetched (Failed to fetch).' });
  });
});

describe('ICE server helpers', () => {
  it('detects TURN, describes servers without credentials, and sets the relay policy', () => {
    expect(hasTurn([{ urls: 'stun:a' }])).toBe(false);
    expect(hasTurn([{ urls: 'stun:a' }, TURN])).toBe(true);
    expect(hasTurn([{ urls: 'turns:x:5349' }])).toBe(true);
    const text = describeIceServers([{ urls: 'stun:a' }, TURN]);
    expect(text).toBe('stun:a; turn:127.0.0.1:3478?transport=udp (user 1700000000:workbench-ab)');
    expect(text).not.toContain(TURN.credential);
    expect(describeIceServers([])).toBe('none (host candidates only)');
    expect(rtcConfiguration([TURN], true)).toEqual({ iceServers: [TURN], iceTransportPolicy: 'relay' });
    expect(rtcConfiguration([], false).iceTransportPolicy).toBe('all');
  });
});
