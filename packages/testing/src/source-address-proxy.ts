/**
 * A SOCKS5 proxy whose outgoing connections leave from one chosen loopback address. A browser
 * cannot pick its source address, but a browser context can be given a proxy (Playwright's
 * `newContext({ proxy: { server: 'socks5://…' } })`), so two contexts can reach a load balancer
 * as two different clients: what nginx's per-address stickiness sees on a real network. SOCKS and
 * not an HTTP proxy because it carries page loads and WebSockets alike as plain TCP. CONNECT only,
 * no authentication; it listens on 127.0.0.1 and is for tests.
 */
import { connect, createServer, isIPv4, isIPv6, type Socket } from 'node:net';

export interface SourceAddressProxy {
  /** `socks5://127.0.0.1:<port>`, for a browser context's proxy setting. */
  url: string;
  /** Where each tunnel went, `host:port`, in order. */
  readonly tunnels: readonly string[];
  close(): Promise<void>;
}

/** The CONNECT request's destination once `buffer` holds all of it, with its length; undefined until then. */
function parseConnect(buffer: Buffer): { host: string; port: number; length: number } | 'unsupported' | undefined {
  if (buffer.length < 5) return undefined;
  if (buffer[0] !== 5 || buffer[1] !== 1) return 'unsupported';
  const type = buffer[3];
  let host: string;
  let offset: number;
  if (type === 1) {
    if (buffer.length < 10) return undefined;
    host = [...buffer.subarray(4, 8)].join('.');
    offset = 8;
  } else if (type === 3) {
    const nameLength = buffer[4] ?? 0;
    if (buffer.length < 5 + nameLength + 2) return undefined;
    host = buffer.subarray(5, 5 + nameLength).toString('latin1');
    offset = 5 + nameLength;
  } else if (type === 4) {
    if (buffer.length < 22) return undefined;
    const groups = [];
    for (let i = 4; i < 20; i += 2) groups.push(buffer.readUInt16BE(i).toString(16));
    host = groups.join(':');
    offset = 20;
  } else {
    return 'unsupported';
  }
  return { host, port: buffer.readUInt16BE(offset), length: offset + 2 };
}

const REPLY_OK = Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
const REPLY_FAILED = Buffer.from([5, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
const REPLY_UNSUPPORTED = Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);

/** Starts the proxy on a free port of 127.0.0.1; every tunnel it opens comes from `localAddress`. */
export function startSourceAddressProxy(localAddress: string): Promise<SourceAddressProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buffer = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!greeted) {
        // VER, NMETHODS, METHODS…: answer "no authentication".
        if (buffer.length < 2 || buffer.length < 2 + (buffer[1] ?? 0)) return;
        if (buffer[0] !== 5) return client.destroy();
        buffer = buffer.subarray(2 + (buffer[1] ?? 0));
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      const request = parseConnect(buffer);
      if (request === undefined) return;
      client.off('data', onData);
      if (request === 'unsupported') return void client.end(REPLY_UNSUPPORTED);
      const rest = buffer.subarray(request.length);
      const family = isIPv6(request.host) ? 6 : isIPv4(request.host) ? 4 : 0;
      const upstream = connect({ host: request.host, port: request.port, localAddress, ...(family !== 0 ? { family } : {}) });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      let opened = false;
      upstream.once('connect', () => {
        opened = true;
        tunnels.push(`${request.host}:${request.port}`);
        client.write(REPLY_OK);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.on('error', () => {
        if (opened) client.destroy();
        else client.end(REPLY_FAILED);
      });
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        url: `socks5://127.0.0.1:${port}`,
        tunnels,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
