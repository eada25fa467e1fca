import { existsSync, readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startCoturn, turnRestCredentials, type CoturnServer } from './coturn.js';
import { HarnessErrorCode } from './errors.js';
import { freeTcpUdpPort } from './ports.js';
import { stunBinding } from './stun.js';
import { turnAllocate } from './turn-client.js';

describe('startCoturn with long-term users', () => {
  let turn: CoturnServer;
  const users = [{ name: 'alice', password: 'wonderland' }];
  beforeAll(async () => {
    turn = await startCoturn({ users });
  });
  afterAll(() => turn?.stop());

  it('answers a STUN Binding request over UDP with our loopback address', async () => {
    const mapped = await stunBinding('127.0.0.1', turn.port);
    expect(mapped.address).toBe('127.0.0.1');
    expect(mapped.port).toBeGreaterThan(0);
  });

  it('answers a STUN Binding request over TCP on the same port', async () => {
    expect((await stunBinding('127.0.0.1', turn.port, { transport: 'tcp' })).address).toBe('127.0.0.1');
  });

  it('describes itself with URLs for RTCIceServer', () => {
    expect(turn.stunUrl).toBe(`stun:127.0.0.1:${turn.port}`);
    expect(turn.turnUdpUrl).toBe(`turn:127.0.0.1:${turn.port}?transport=udp`);
    expect(turn.turnTcpUrl).toBe(`turn:127.0.0.1:${turn.port}?transport=tcp`);
    expect(turn.users).toEqual(users);
    expect(turn.realm).toBe('workbench.test');
  });

  it('allows loopback peers and never forbids them (tests relay between peers on one machine)', () => {
    const config = readFileSync(turn.configPath, 'utf8');
    expect(config).toMatch(/^allow-loopback-peers$/m);
    expect(config).not.toMatch(/no-loopback-peers/);
    expect(config).toMatch(/^lt-cred-mech$/m);
    expect(config).toMatch(/^no-tls$/m);
  });

  it('allocates a relay from its private port range for a configured user', async () => {
    const allocation = await turnAllocate('127.0.0.1', turn.port, { username: 'alice', password: 'wonderland' });
    expect(allocation.relayed.address).toBe('127.0.0.1');
    expect(allocation.relayed.port).toBeGreaterThanOrEqual(turn.relayPorts.min);
    expect(allocation.relayed.port).toBeLessThanOrEqual(turn.relayPorts.max);
    expect(allocation.mapped.address).toBe('127.0.0.1');
    expect(allocation.lifetimeSeconds).toBeGreaterThan(0);
  });

  it('refuses a wrong password with 401', async () => {
    await expect(turnAllocate('127.0.0.1', turn.port, { username: 'alice', password: 'wrong' })).rejects.toThrow(/401/);
  });
});

describe('startCoturn with a TURN REST secret', () => {
  let turn: CoturnServer;
  beforeAll(async () => {
    turn = await startCoturn({ authSecret: 'shared-secret' });
  });
  afterAll(() => turn?.stop());

  it('accepts REST credentials derived from the same secret', async () => {
    const { username, credential } = turnRestCredentials('shared-secret', { ttlSeconds: 600 });
    expect(username).toMatch(/^\d+:workbench$/);
    const allocation = await turnAllocate('127.0.0.1', turn.port, { username, password: credential });
    expect(allocation.relayed.address).toBe('127.0.0.1');
  });

  it('refuses credentials from another secret and expired ones', async () => {
    const other = turnRestCredentials('another-secret');
    await expect(turnAllocate('127.0.0.1', turn.port, { username: other.username, password: other.credential })).rejects.toThrow(/401/);
    const expired = turnRestCredentials('shared-secret', { ttlSeconds: -60 });
    await expect(turnAllocate('127.0.0.1', turn.port, { username: expired.username, password: expired.credential })).rejects.toThrow(/401/);
  });

  it('is configured with use-auth-secret and no static users', () => {
    const config = readFileSync(turn.configPath, 'utf8');
    expect(config).toMatch(/^use-auth-secret$/m);
    expect(config).toMatch(/^static-auth-secret=shared-secret$/m);
    expect(config).not.toMatch(/^user=/m);
    expect(turn.users).toEqual([]);
  });
});

describe('startCoturn lifecycle', () => {
  it('stop() ends the server, frees its port and removes its files', async () => {
    const turn = await startCoturn();
    expect(turn.users).toHaveLength(1);
    expect(existsSync(turn.configPath)).toBe(true);
    await turn.stop();
    expect(existsSync(turn.configPath)).toBe(false);
    await expect(stunBinding('127.0.0.1', turn.port, { timeoutMs: 300 })).rejects.toMatchObject({ code: HarnessErrorCode.StunFailed });
    await turn.stop(); // a second stop is harmless
  });

  it('with tls: true also listens for TURN over TLS', async () => {
    const turn = await startCoturn({ tls: true });
    try {
      expect(turn.turnsUrl).toBe(`turns:127.0.0.1:${turn.tlsPort}?transport=tcp`);
      expect(readFileSync(turn.configPath, 'utf8')).toMatch(new RegExp(`^tls-listening-port=${turn.tlsPort}$`, 'm'));
      const protocol = await new Promise<string | null>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: turn.tlsPort!, rejectUnauthorized: false }, () => {
          resolve(socket.getProtocol());
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(protocol).toMatch(/^TLSv1\.[23]$/);
      expect(turn.log()).toContain(`127.0.0.1:${turn.tlsPort}`);
    } finally {
      await turn.stop();
    }
  });

  it('rejects users and authSecret together instead of ignoring one', async () => {
    await expect(startCoturn({ users: [{ name: 'a', password: 'b' }], authSecret: 's' })).rejects.toThrow(/either `users`/);
  });

  it('gives free ports: two servers side by side', async () => {
    const [a, b] = await Promise.all([startCoturn(), startCoturn()]);
    try {
      expect(a!.port).not.toBe(b!.port);
      expect((await stunBinding('127.0.0.1', a!.port)).address).toBe('127.0.0.1');
      expect((await stunBinding('127.0.0.1', b!.port)).address).toBe('127.0.0.1');
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
    }
  });

  it('freeTcpUdpPort returns a port usable for both protocols', async () => {
    expect(await freeTcpUdpPort()).toBeGreaterThan(1023);
  });
});
