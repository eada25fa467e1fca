import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

import { HarnessError, HarnessErrorCode } from './errors.js';

function listenTcp(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

function bindUdp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A TCP port that was free on `host` a moment ago (the OS picks it). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const port = await listenTcp(0, host);
  if (port === undefined) throw new HarnessError(HarnessErrorCode.NoFreePort, `Could not bind any TCP port on ${host}; check that the loopback interface is up.`);
  return port;
}

/** A port free for both TCP and UDP on `host`: STUN/TURN servers listen on both with one number. */
export async function freeTcpUdpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freeTcpPort(host);
    if (await bindUdp(port, host)) return port;
  }
  throw new HarnessError(HarnessErrorCode.NoFreePort, `Found no port free for both TCP and UDP on ${host} after 50 tries; close what is holding ports and retry.`);
}

/**
 * `count` consecutive UDP ports, all free on `host`, in the dynamic range (49152–65535).
 * Used for a TURN server's relay range so two test runs side by side don't share relay ports.
 */
export async function freeUdpPortRange(count: number, host = '127.0.0.1'): Promise<{ min: number; max: number }> {
  const low = 49152;
  const high = 65535 - count;
  for (let attempt = 0; attempt < 20; attempt++) {
    const min = low + Math.floor(Math.random() * (high - low));
    let allFree = true;
    for (let port = min; port < min + count; port++) {
      if (!(await bindUdp(port, host))) {
        allFree = false;
        break;
      }
    }
    if (allFree) return { min, max: min + count - 1 };
  }
  throw new HarnessError(HarnessErrorCode.NoFreePort, `Found no run of ${count} free UDP ports on ${host}; close what is holding ports and retry.`);
}
