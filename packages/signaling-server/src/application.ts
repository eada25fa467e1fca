/**
 * `createApplication(httpServer, options)`: socket.io signaling plus the HTTP routes, attached to
 * an http(s) server the caller owns. Taking the server as a parameter is what lets tests (and the
 * browser-test harness) run the real thing on port 0.
 */
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@workbench/core/protocol';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server } from 'socket.io';
import { createRequestHandler } from './http-handler.js';
import { iceServersResponse } from './ice-servers.js';
import { createLogger } from './logger.js';
import { resolveOptions, type ServerOptions } from './options.js';
import { RoomRegistry } from './room-registry.js';
import { registerSignalingHandlers, type SignalingServer } from './signaling.js';

export interface Application {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  rooms: RoomRegistry;
  /** Disconnects every client and closes the HTTP server it is attached to. */
  close(): Promise<void>;
}

/**
 * Browsers always send Origin on WebSocket handshakes and cross-origin requests, and WebSockets are
 * not covered by CORS: without this check any web page could open a socket to a learner's server.
 * Clients that send no Origin (Node, curl) are not browsers acting for a third-party page.
 */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false; // "null" (file://, sandboxed frames) and garbage
  }
}

export function createApplication(httpServer: HttpServer | HttpsServer, options: ServerOptions = {}): Application {
  const config = resolveOptions(options);
  const logger = createLogger(config.logLevel);
  const rooms = new RoomRegistry(config.roomCapacity);
  const startedAt = Date.now();

  // Registered before socket.io attaches: engine.io wraps the listeners already present and hands
  // them only the requests that are not its own, so /socket.io/ never reaches the file server.
  const handler = createRequestHandler({
    sites: [
      { prefix: '/', root: config.staticRoots.steps, workspace: '@workbench/steps' },
      { prefix: '/diagnostics/', root: config.staticRoots.diagnostics, workspace: '@workbench/diagnostics' },
    ],
    health: () => ({
      ok: true,
      rooms: rooms.roomCount,
      clients: io.of('/').sockets.size,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    }),
    iceServers: () => iceServersResponse(config.iceServers),
    logger,
  });
  httpServer.on('request', handler);

  const io: SignalingServer = new Server(httpServer, {
    // Original codelab pages load the client from here and call io.connect().
    serveClient: true,
    // Copies of the codelab that bundle socket.io-client 2.x speak Engine.IO 3.
    allowEIO3: true,
    maxHttpBufferSize: config.maxHttpBufferSize,
    allowRequest: (req, callback) => {
      const allowed = isOriginAllowed(req, config.allowedOrigins);
      if (!allowed) logger.warn(`refused a socket from origin ${String(req.headers.origin)}: not this server's pages`);
      callback(allowed ? null : 'Origin not allowed', allowed);
    },
    ...(config.allowedOrigins.length > 0 ? { cors: { origin: config.allowedOrigins } } : {}),
  });
  registerSignalingHandlers(io, rooms, { maxMessageBytes: config.maxMessageBytes, logger });

  let closing: Promise<void> | undefined;
  return {
    io,
    rooms,
    close: () => {
      closing ??= io.close();
      return closing;
    },
  };
}
