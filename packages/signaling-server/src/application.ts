/**
 * `createApplication(httpServer, options)`: socket.io signaling plus the HTTP routes, attached to
 * an http(s) server the caller owns. Taking the server as a parameter is what lets tests (and the
 * browser-test harness) run the real thing on port 0.
 */
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@workbench/core/protocol';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Cluster } from 'ioredis';
import { roomOfKey } from './connection/hub.js';
import { Server } from 'socket.io';
import { AddressLimits } from './address-limits.js';
import { createRequestHandler } from './http-handler.js';
import { iceServersResponse } from './ice-servers.js';
import { createLogger, type Logger } from './logger.js';
import { SignalingMetrics } from './metrics.js';
import { resolveOptions, type ServerOptions } from './options.js';
import { RedisRelay } from './redis-relay.js';
import { RedisSeatStore, describeRedisCluster, redactRedisUrl } from './redis-seat-store.js';
import { RoomRegistry } from './room-registry.js';
import { MemorySeatStore, type SeatStore } from './seat-store.js';
import { AllowedHosts, installRequestGate } from './request-gate.js';
import { announceOversizeFrames } from './oversize-frames.js';
import { registerSignalingHandlers, type SignalingServer } from './signaling.js';
import { textOnlyParser } from './text-only-parser.js';
import { coalesceWebSocketWrites } from './write-coalescing.js';

export interface Application {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  /**
   * Rooms and members. On one process this is the server's whole state; with Redis it is the view of
   * this process's own clients (Redis holds the rest).
   */
  rooms: RoomRegistry;
  /** Where seats are kept: memory, or Redis when `redisUrl` or `redisCluster` is set. */
  store: SeatStore;
  metrics: SignalingMetrics;
  logger: Logger;
  /** Resolves when the application can take clients (with Redis: connected); rejects with a coded ServerError. */
  ready: Promise<void>;
  /**
   * Graceful stop: refuses new sockets, tells clients the server is going away, frees the seats
   * of clients that will not resume (their peers get `'bye'`), disconnects everyone and closes
   * the HTTP server it is attached to. Bounded: done within about 3 s whatever clients do.
   */
  close(): Promise<void>;
}

/** How long close() gives clients' seats to be freed before it disconnects them regardless. */
const SHUTDOWN_NOTICE_MS = 1500;
/** How long startup waits for each connection to Redis. */
const CONNECT_TIMEOUT_MS = 5000;
/** How long close() waits for socket.io and the adapter to let go. */
const CLOSE_TIMEOUT_MS = 1500;

const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Browsers always send Origin on WebSocket handshakes and cross-origin requests, and WebSockets are
 * not covered by CORS: without this check any web page could open a socket to a learner's server.
 * Clients that send no Origin (Node, curl) are not browsers acting for a third-party page.
 * Allowed by default: this server's own origin and any page on localhost.
 */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    // Pages on this machine (a Vite dev server, another local port) are the learner's own.
    if (LOCALHOST_NAMES.has(url.hostname.toLowerCase())) return true;
    return url.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false; // "null" (file://, sandboxed frames) and garbage
  }
}

/** `/healthz` says 503 with the reason while rooms cannot be shared between processes. */
function healthState(reason: string | undefined): { ok: true } | { ok: false; reason: string } {
  return reason === undefined ? { ok: true } : { ok: false, reason: `${reason}; relays between processes are refused with UNAVAILABLE` };
}

/**
 * The sharded adapter calls `ssubscribe` / `sunsubscribe` and drops the promise; when the cluster
 * connection ends (shutdown, or startup giving up) ioredis rejects the queued ones, and an
 * unobserved rejection would end the process. A subscription that failed shows as a 'deaf' relay
 * probe, and ioredis subscribes again after a reconnect, so nothing is lost by observing them here.
 */
function observeSubscriptions(sub: Cluster): void {
  const client = sub as unknown as Record<'ssubscribe' | 'sunsubscribe', (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['ssubscribe', 'sunsubscribe'] as const) {
    const original = client[name].bind(sub);
    client[name] = (...args) => {
      const done = original(...args);
      done.catch(() => {});
      return done;
    };
  }
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function createApplication(httpServer: HttpServer | HttpsServer, options: ServerOptions = {}): Application {
  const config = resolveOptions(options);
  const logger = createLogger(config.logLevel, 'signaling', { format: config.logFormat });
  const metrics = new SignalingMetrics();
  const startedAt = Date.now();

  /** The adapter's channel prefix; the relay recognises room publishes by it. */
  const adapterKey = `${config.redisKeyPrefix}socket.io`;
  let store: SeatStore;
  let adapterClients: { pub: RedisSeatStore['redis']; sub: RedisSeatStore['redis'] } | undefined;
  let relay: RedisRelay | undefined;
  let redisStore: RedisSeatStore | undefined;
  const cluster = config.redisCluster;
  if (config.redisUrl !== undefined || cluster !== undefined) {
    redisStore = new RedisSeatStore({
      ...(cluster !== undefined ? { cluster } : { url: config.redisUrl }),
      capacity: config.roomCapacity,
      seatTtlMs: config.seatTtlMs,
      keyPrefix: config.redisKeyPrefix,
      operationTimeoutMs: 3000,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      logger,
    });
    store = redisStore;
    adapterClients = {
      pub: redisStore.redis.duplicate(),
      // On a cluster, SSUBSCRIBE must go to the master serving each channel's slot: ioredis keeps a
      // subscriber connection per master for that only when asked to.
      sub: cluster !== undefined ? (redisStore.redis as Cluster).duplicate([], { shardedSubscribers: true }) : redisStore.redis.duplicate(),
    };
    if (cluster !== undefined) observeSubscriptions(adapterClients.sub as Cluster);
    // The store reports outages; the adapter's connections would repeat every retry.
    for (const client of Object.values(adapterClients)) client.on('error', () => {});
    redisStore.watch(adapterClients.pub, adapterClients.sub);
    relay = new RedisRelay({
      ...adapterClients,
      nodeId: redisStore.nodeId,
      keys: redisStore.keys,
      adapterKey,
      where: cluster !== undefined ? describeRedisCluster(cluster) : redactRedisUrl(config.redisUrl ?? ''),
    });
  } else {
    store = new MemorySeatStore(new RoomRegistry(config.roomCapacity));
  }
  const rooms = store.local;
  const addressLimits = new AddressLimits(config.addressLimits);
  const clientAddress = (req: IncomingMessage) => config.trustedProxies.clientAddress(req);

  // Registered before socket.io attaches: engine.io wraps the listeners already present and hands
  // them only the requests that are not its own, so /socket.io/ never reaches the file server.
  const handler = createRequestHandler({
    sites: [
      { prefix: '/', root: config.staticRoots.steps, workspace: '@workbench/steps' },
      { prefix: '/diagnostics/', root: config.staticRoots.diagnostics, workspace: '@workbench/diagnostics' },
    ],
    health: () => ({
      ...healthState(store.unavailableReason()),
      rooms: rooms.roomCount,
      clients: io.of('/').sockets.size,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    }),
    iceServers: () => iceServersResponse(config.iceServers),
    metrics: () => metrics.render({ connectedClients: () => io.of('/').sockets.size, rooms: () => rooms.roomCount }),
    metricsToken: config.metricsToken,
    clientAddress,
    admitIceServers: (req) => {
      if (addressLimits.takeIceServers(clientAddress(req))) return true;
      metrics.reject('ice_servers_rate');
      return false;
    },
    logger,
  });
  httpServer.on('request', handler);

  const io: SignalingServer = new Server(httpServer, {
    // Original codelab pages load the client from here and call io.connect().
    serveClient: true,
    // Copies of the codelab that bundle socket.io-client 2.x speak Engine.IO 3.
    allowEIO3: true,
    maxHttpBufferSize: config.maxHttpBufferSize,
    parser: textOnlyParser,
    allowRequest: (req, callback) => {
      if (signaling.shuttingDown) {
        callback('Server shutting down', false);
        return;
      }
      const allowed = isOriginAllowed(req, config.allowedOrigins);
      if (!allowed) {
        metrics.reject('origin');
        logger.warn(`refused a socket from origin ${String(req.headers.origin)}: not this server's pages`, { event: 'origin_refused' });
        callback('Origin not allowed', false);
        return;
      }
      const address = clientAddress(req);
      const refused = addressLimits.admitHandshake(address);
      if (refused !== undefined) {
        metrics.reject(refused === 'too_many_connections' ? 'address_connections' : 'address_handshakes');
        logger.warn(`refused a socket from ${address}: ${refused.replaceAll('_', ' ')}`, { event: 'address_limit', address, reason: refused });
        callback(
          refused === 'too_many_connections'
            ? `Too many connections from ${address} (at most ${config.addressLimits.connections})`
            : `Too many new connections from ${address} (at most ${config.addressLimits.handshakes.perSecond} per second)`,
          false,
        );
        return;
      }
      callback(null, true);
    },
    ...(config.allowedOrigins.length > 0 ? { cors: { origin: config.allowedOrigins } } : {}),
    ...(adapterClients !== undefined
      ? {
          adapter:
            cluster !== undefined
              ? // A channel per socket.io room, and so per signaling room, in the room's slot (see
                // roomKey). 'dynamic-private', not 'dynamic': 'dynamic' takes any 20-character room
                // for a socket id and sends to it on the namespace's channel, in another slot and
                // usually on another master, where the relay script may not publish; and
                // `{room:<13 characters>}` is 20 characters (the cluster test picks such a room).
                createShardedAdapter(adapterClients.pub, adapterClients.sub, { channelPrefix: adapterKey, subscriptionMode: 'dynamic-private' })
              : createAdapter(adapterClients.pub, adapterClients.sub, { key: adapterKey }),
        }
      : {}),
  });
  if (relay !== undefined && redisStore !== undefined && cluster !== undefined) {
    // After the adapter's own listeners (it subscribes the room's channel first, see RedisRelay).
    const clusterRelay = relay;
    const adapter = io.of('/').adapter;
    adapter.on('create-room', (key: string) => {
      const room = roomOfKey(key);
      if (room !== undefined) void clusterRelay.roomOpened(room);
    });
    adapter.on('delete-room', (key: string) => {
      const room = roomOfKey(key);
      if (room !== undefined) clusterRelay.roomClosed(room);
    });
    redisStore.beforeSeat = (room) => clusterRelay.roomOpened(room);
  }
  coalesceWebSocketWrites(io.engine);
  installRequestGate(httpServer, {
    hosts: new AllowedHosts(config.host, config.publicHosts),
    isOriginAllowed: (req) => isOriginAllowed(req, config.allowedOrigins),
    onRefused: (req, refusal) => {
      metrics.reject(refusal.reason);
      logger.warn(`refused ${req.method ?? '?'} ${(req.url ?? '').slice(0, 80)} from ${clientAddress(req)}: ${refusal.message}`, {
        event: `${refusal.reason}_refused`,
      });
    },
  });
  io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', listener: () => void): void }) => {
    const address = clientAddress(conn.request);
    addressLimits.connected(address);
    conn.once('close', () => addressLimits.disconnected(address));
  });
  announceOversizeFrames(io.engine, config.maxMessageBytes, metrics);
  const signaling = registerSignalingHandlers(io, {
    addressLimits,
    clientAddress,
    maxMessageBytes: config.maxMessageBytes,
    logger,
    store,
    metrics,
    rateLimits: config.rateLimits,
    reconnectGraceMs: config.reconnectGraceMs,
    maxQueuedBytes: config.maxQueuedBytes,
    relay,
  });

  const ready = (async () => {
    await store.ready;
    if (adapterClients !== undefined) {
      await Promise.all(Object.values(adapterClients).map((client) => (client.status === 'wait' ? client.connect() : undefined)));
    }
    // After the Server made the adapter, which subscribed its pattern: the relay's probe comes second.
    await relay?.start(CONNECT_TIMEOUT_MS);
    if (redisStore !== undefined) {
      logger.info(`sharing rooms through Redis as process ${store.nodeId}`, { event: 'redis_ready', node: store.nodeId });
    }
  })();
  ready.catch(() => {});

  let closing: Promise<void> | undefined;
  const close = async () => {
    await signaling.shutdown(SHUTDOWN_NOTICE_MS);
    await Promise.race([io.close().catch(() => {}), timeout(CLOSE_TIMEOUT_MS)]);
    signaling.dispose();
    relay?.close();
    addressLimits.dispose();
    await store.close();
    if (adapterClients !== undefined) for (const client of Object.values(adapterClients)) client.disconnect();
    // io.close() closes the HTTP server too, but not when the adapter hung; make sure.
    if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return {
    io,
    rooms,
    store,
    metrics,
    logger,
    ready,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
