import { describe, expect, it } from 'vitest';

import { LAB_ICE_URLS, labCoturnConfig } from './coturn-config.js';

const SECRET = 'a-secret-of-enough-length_123';

function lines(config: string): string[] {
  return config.trim().split('\n');
}

describe('labCoturnConfig', () => {
  it('listens on both STUN addresses and relays on the first', () => {
    const config = lines(labCoturnConfig({ secret: SECRET, dir: '/tmp/lab' }));
    expect(config.filter((l) => l.startsWith('listening-ip='))).toEqual(['listening-ip=203.0.113.10', 'listening-ip=203.0.113.11']);
    expect(config).toContain('relay-ip=203.0.113.10');
    expect(config).toContain('listening-port=3478');
  });

  it('checks TURN REST credentials with the secret the signaling server signs with', () => {
    const config = lines(labCoturnConfig({ secret: SECRET, dir: '/tmp/lab' }));
    expect(config).toContain('use-auth-secret');
    expect(config).toContain(`static-auth-secret=${SECRET}`);
    expect(config.some((l) => l.startsWith('user=') || l === 'lt-cred-mech')).toBe(false);
  });

  it('refuses to relay to private addresses, and keeps its files in the given directory', () => {
    const config = lines(labCoturnConfig({ secret: SECRET, dir: '/tmp/lab' }));
    expect(config).toContain('denied-peer-ip=10.0.0.0-10.255.255.255');
    expect(config).toContain('denied-peer-ip=192.168.0.0-192.168.255.255');
    for (const key of ['log-file', 'pidfile', 'userdb']) expect(config.find((l) => l.startsWith(`${key}=`))).toMatch(/^[a-z-]+=\/tmp\/lab\//);
  });

  it('has TURN over UDP and TCP on (no TLS: the lab has no certificate to check)', () => {
    const config = lines(labCoturnConfig({ secret: SECRET, dir: '/tmp/lab' }));
    expect(config).toContain('no-tls');
    expect(config).not.toContain('no-udp');
    expect(config).not.toContain('no-tcp');
    expect(LAB_ICE_URLS.turn).toEqual(['turn:203.0.113.10:3478?transport=udp', 'turn:203.0.113.10:3478?transport=tcp']);
    expect(LAB_ICE_URLS.stun).toEqual(['stun:203.0.113.10:3478', 'stun:203.0.113.11:3478']);
  });

  it('rejects a secret or directory that would break the config file', () => {
    expect(() => labCoturnConfig({ secret: 'short', dir: '/tmp/lab' })).toThrow(/at least 16 characters/);
    expect(() => labCoturnConfig({ secret: `${SECRET}\nno-auth`, dir: '/tmp/lab' })).toThrow(/secret/);
    expect(() => labCoturnConfig({ secret: SECRET, dir: '/tmp/my lab' })).toThrow(/without spaces/);
  });
});
