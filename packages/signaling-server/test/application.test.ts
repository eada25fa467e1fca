import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApplication } from '../src/index.js';
import { connectClient, makeStaticRoots } from './helpers.js';

describe('createApplication', () => {
  it('attaches signaling and the HTTP routes to a server the caller owns, and close() releases it', async () => {
    const roots = await makeStaticRoots();
    const httpServer = createServer();
    const app = createApplication(httpServer, { logLevel: 'silent', roomCapacity: 3, staticRoots: roots });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('steps index');
    const client = await connectClient(url, { transports: ['polling'] });
    const joined = await client.socket.timeout(5000).emitWithAck('create or join', 'foo');
    expect(joined).toMatchObject({ ok: true, role: 'created', capacity: 3 });
    expect(app.rooms.roomOf(client.socket.id ?? '')).toBe('foo');

    await app.close();
    expect(httpServer.listening).toBe(false);
    client.socket.disconnect();
  });

  it('refuses options that cannot work, with a coded error', () => {
    const httpServer = createServer();
    expect(() => createApplication(httpServer, { iceServers: { turn: { urls: ['turn:t:3478'] } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createApplication(httpServer, { roomCapacity: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
