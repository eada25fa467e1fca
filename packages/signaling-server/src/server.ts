/** `startServer(options)`: an http(s) server with the application on it, listening and ready. */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createApplication, type Application } from './application.js';
import { loadOrCreateCertificate, type CertificatePair } from './certificate.js';
import { ServerError, ServerErrorCode } from './errors.js';
import { resolveOptions, type ServerOptions } from './options.js';
import type { RoomRegistry } from './room-registry.js';

export interface RunningServer {
  /** Where to point a browser or client, without a trailing slash: `http://127.0.0.1:3000`. */
  url: string;
  port: number;
  host: string;
  io: Application['io'];
  rooms: RoomRegistry;
  /** Counters behind `GET /metrics`. */
  metrics: Application['metrics'];
  /** Where seats live: memory, or Redis with `redisUrl`. */
  store: Application['store'];
  httpServer: HttpServer | HttpsServer;
  /** Disconnects clients, stops listening; connections still open after a grace period are cut. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

/** The host part of a URL that reaches `host` from this machine. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const hint =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use: stop the other server or pick another port with --port.`
          : error.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its LAN addresses.`
            : error.code === 'EACCES'
              ? `port ${port} needs privileges here: use a port above 1023.`
              : `${error.message}.`;
      reject(new ServerError(ServerErrorCode.ListenFailed, `Could not listen: ${hint}`, { cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = resolveOptions(options);
  let tls: CertificatePair | undefined;
  if (config.https === true) tls = await loadOrCreateCertificate(config.certDir);
  else if (config.https !== false) tls = config.https;

  const httpServer = tls === undefined ? createHttpServer() : createHttpsServer({ key: tls.key, cert: tls.cert });
  const app = createApplication(httpServer, options);
  try {
    await app.ready;
    await listen(httpServer, config.port, config.host);
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `${tls === undefined ? 'http' : 'https'}://${urlHost(config.host)}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Keep-alive and half-finished downloads would hold close() open indefinitely.
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), CLOSE_GRACE_MS);
      cutOff.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(cutOff);
      }
    })();
    return closing;
  };

  return { url, port, host: config.host, io: app.io, rooms: app.rooms, metrics: app.metrics, store: app.store, httpServer, close };
}
