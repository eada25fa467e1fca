import { connect, createServer, type AddressInfo, type Server } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freeTcpPort } from './ports.js';
import { startSourceAddressProxy, type SourceAddressProxy } from './source-address-proxy.js';

let whoAmI: Server;
let proxy: SourceAddressProxy;

beforeAll(async () => {
  // Answers each connection with the address it came from.
  whoAmI = createServer((socket) => socket.end(`${socket.remoteAddress}\n`));
  await new Promise<void>((resolve) => whoAmI.listen(0, '127.0.0.1', resolve));
  proxy = await startSourceAddressProxy('127.0.5.9');
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => whoAmI.close(resolve));
});

/** A SOCKS5 CONNECT to 127.0.0.1:`port` written by hand: the reply code, then whatever the far end sent. */
function throughProxy(port: number): Promise<{ reply: number; data: string }> {
  const proxyPort = Number(new URL(proxy.url).port);
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.from([5, 1, 0])));
    socket.on('data', (chunk: Buffer) => {
      const first = received.length === 0;
      received = Buffer.concat([received, chunk]);
      if (first && received.length >= 2) socket.write(Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]));
    });
    socket.on('close', () => resolve({ reply: received[3] ?? -1, data: received.subarray(12).toString('utf8') }));
  });
}

describe('startSourceAddressProxy', () => {
  it('opens each tunnel from the address it was given', async () => {
    const { port } = whoAmI.address() as AddressInfo;
    expect(await throughProxy(port)).toEqual({ reply: 0, data: '127.0.5.9\n' });
    expect(proxy.tunnels).toContain(`127.0.0.1:${port}`);
  });

  it('answers "general failure" when the destination refuses', async () => {
    const closed = await freeTcpPort();
    expect(await throughProxy(closed)).toEqual({ reply: 1, data: '' });
  });
});
