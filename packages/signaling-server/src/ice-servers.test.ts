import { describe, expect, it } from 'vitest';
import { assertIceServerOptions, iceServersResponse } from './ice-servers.js';
import { turnRestCredentials } from './turn-credentials.js';

describe('iceServersResponse', () => {
  it('lists STUN, then TURN with fresh REST credentials and their lifetime', () => {
    const now = 1_700_000_000_000;
    const response = iceServersResponse(
      { stun: ['stun:stun.example:3478'], turn: { urls: ['turn:127.0.0.1:3478'], secret: 'north-pole', ttlSeconds: 600 } },
      now,
    );
    expect(response.ttlSeconds).toBe(600);
    expect(response.expiresAt).toBe(now + 600_000);
    expect(response.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = response.iceServers[1];
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
    const user = turn?.username?.split(':')[1] ?? '';
    expect(turn?.username).toBe(`1700000600:${user}`);
    expect(turn?.credential).toBe(turnRestCredentials('north-pole', user, 600, now).credential);
  });

  it('hands out static TURN credentials when no secret is set, and nothing when unconfigured', () => {
    expect(iceServersResponse({ turn: { urls: ['turns:t.example:443'], username: 'u', credential: 'p' } })).toEqual({
      iceServers: [{ urls: ['turns:t.example:443'], username: 'u', credential: 'p' }],
    });
    expect(iceServersResponse(undefined)).toEqual({ iceServers: [] });
    expect(iceServersResponse({ stun: [] })).toEqual({ iceServers: [] });
  });

  it('refuses configurations a browser would reject', () => {
    expect(() => assertIceServerOptions({ turn: { urls: ['turn:t:3478'] } })).toThrow(/credentials/);
    expect(() => assertIceServerOptions({ stun: ['http://x'] })).toThrow(/STUN URL/);
    expect(() => assertIceServerOptions({ turn: { urls: ['stun:x'], secret: 's' } })).toThrow(/TURN URL/);
    expect(() => assertIceServerOptions({ turn: { urls: [], secret: 's' } })).toThrow(/no TURN URL/);
    expect(() => assertIceServerOptions({ stun: ['stun:a:1', 'stuns:b:2'], turn: { urls: ['turn:a:1?transport=tcp'], secret: 's' } })).not.toThrow();
  });
});
