/**
 * Why a bridge: libwebrtc verifies a `turns:` certificate against its own built-in roots and
 * cannot be given a private CA (SSL_CERT_FILE is ignored), so `--ca` would be useless for the
 * allocation itself. Instead Node does the TLS (verified by `checkTls`, with `--ca` when given)
 * and libwebrtc speaks TURN over TCP to a loopback port whose every connection is piped into a
 * fresh TLS connection to the real server. The TURN exchange is the same bytes the server sees
 * from a browser over TLS; only who holds the TLS session differs.
 */
import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect } from 'node:tls';

export interface TlsBridge {
  /** `turn:127.0.0.1:<port>?transport=tcp`, to give libwebrtc in place of the turns: URL. */
  url: string;
  close(): Promise<void>;
}

export async function openTlsBridge(host: string, port: number, ca: Buffer | undefined): Promise<TlsBridge> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((plain) => {
    sockets.add(plain);
    const secure = connect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...(ca ? { ca } : {}) });
    sockets.add(secure);
    plain.pipe(secure).pipe(plain);
    const end = () => {
      plain.destroy();
      secure.destroy();
      sockets.delete(plain);
      sockets.delete(secure);
    };
    plain.on('error', end).on('close', end);
    secure.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: local } = server.address() as AddressInfo;
  return {
    url: `turn:127.0.0.1:${local}?transport=tcp`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
