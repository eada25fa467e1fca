/** The server's configuration: what callers may set and the defaults they get otherwise. */
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_ROOM_CAPACITY } from '@workbench/core/protocol';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ServerConfigError } from './errors.js';
import { assertIceServerOptions, type IceServerOptions } from './ice-servers.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';
import { assertRateLimit, type RateLimit } from './rate-limit.js';
import { DEFAULT_ADDRESS_LIMITS, type AddressLimitOptions } from './address-limits.js';
import { TrustedProxies } from './trusted-proxies.js';

export interface ServerOptions {
  /** Interface to listen on; default `'127.0.0.1'`. `'0.0.0.0'` makes it reachable on the LAN. */
  host?: string;
  /** Default 3000; 0 picks any free port (what tests use). */
  port?: number;
  /** `true`: a self-signed certificate generated on first use and cached under `certDir`. */
  https?: boolean | { key: string; cert: string };
  /** Where the generated certificate is kept; default `<repo>/.certs` (gitignored). */
  certDir?: string;
  /** Members per room; default {@link DEFAULT_ROOM_CAPACITY}. */
  roomCapacity?: number;
  /** Largest relayed `'message'` as UTF-8 JSON; default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** Built app directories; default `apps/steps/dist` and `apps/diagnostics/dist` in the repo. */
  staticRoots?: { steps?: string; diagnostics?: string };
  /** What `/api/ice-servers` hands out; default none (the CLI defaults to Google's public STUN). */
  iceServers?: IceServerOptions;
  logLevel?: LogLevel;
  /** `json`: one JSON object per line (for log shippers); `text`: `[signaling] message`. Default `text`. */
  logFormat?: LogFormat;
  /**
   * `redis://host:port`: run as one of several processes sharing rooms through Redis (socket.io's
   * Redis adapter relays between them; seats are kept in Redis). Unset: one process, in memory.
   */
  redisUrl?: string;
  /**
   * `['host:port', …]`, some masters of a Redis Cluster (Redis 7 or later), instead of `redisUrl`:
   * the same sharing, with each room's keys in one hash slot and relays over sharded pub/sub, so
   * rooms spread over the cluster's masters. The rest of the cluster is found from these.
   */
  redisCluster?: string[];
  /** Prefix of every Redis key this server writes; default `workbench:`. */
  redisKeyPrefix?: string;
  /** With Redis: a dead process's seats are freed, and its peers told `'bye'`, within this time. Default 15 s. */
  seatTtlMs?: number;
  /**
   * How long the seat of a client that connected with `auth: { resumeToken }` is kept after its
   * connection drops, so it can reconnect into the same seat and role. Default 10 s; 0 turns it off.
   */
  reconnectGraceMs?: number;
  /** Per-client limits; defaults {@link DEFAULT_RATE_LIMITS}. `messageBytes` counts relayed bytes, not events. */
  rateLimits?: { messages?: RateLimit; joins?: RateLimit; messageBytes?: RateLimit };
  /**
   * Bytes the server may hold waiting for one client that does not read them (a frozen tab, a
   * stalled link); past this the client is disconnected and its senders told SLOW_RECEIVER.
   * Default {@link DEFAULT_MAX_QUEUED_BYTES}.
   */
  maxQueuedBytes?: number;
  /**
   * Extra page origins allowed to open a socket. By default only pages served by this server and
   * pages on localhost (e.g. a Vite dev server) may connect, so a random site a learner visits
   * cannot join their rooms.
   */
  allowedOrigins?: string[];
  /**
   * Names (besides localhost and this machine's addresses) that browsers may use for this server,
   * e.g. `workbench.example.org`. Requests under any other Host are refused (DNS rebinding).
   */
  publicHosts?: string[];
  /** Bearer token for `/metrics`. Unset: `/metrics` answers only clients on this machine. */
  metricsToken?: string;
  /** Per-source-address caps; defaults {@link DEFAULT_ADDRESS_LIMITS}. Loopback is not exempt. */
  addressLimits?: Partial<AddressLimitOptions>;
  /**
   * Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` / `Forwarded` headers name
   * the real client, for the per-address caps, logs and the /metrics loopback rule. Unset: those
   * headers are ignored, since any client can send them.
   */
  trustProxy?: string[];
}

/** The repository root, found from this file's place in packages/signaling-server/{src,dist}/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;
/** Headroom over the message limit so an oversized message reaches the validator, which answers
 * PAYLOAD_TOO_LARGE, instead of socket.io silently dropping the connection. */
const BUFFER_HEADROOM_BYTES = 64 * 1024;

/**
 * A call setup sends an offer, an answer and tens of candidates at once, and a chat burst more:
 * the message burst covers that with room to spare; the steady rate stops floods. Joins are rarer.
 */
export const DEFAULT_RATE_LIMITS: Readonly<{ messages: RateLimit; joins: RateLimit }> = {
  messages: { burst: 200, perSecond: 100 },
  joins: { burst: 10, perSecond: 2 },
};
/** Relayed bytes per sender: a call setup is tens of KB; 64 KB messages at 100/s would be 6 MB/s. */
export const DEFAULT_MESSAGE_BYTES_LIMIT: Readonly<RateLimit> = { burst: 2 * 1024 * 1024, perSecond: 512 * 1024 };
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
export const DEFAULT_SEAT_TTL_MS = 15_000;
export const DEFAULT_RECONNECT_GRACE_MS = 10_000;
export const DEFAULT_REDIS_KEY_PREFIX = 'workbench:';

export interface ResolvedServerOptions {
  host: string;
  port: number;
  https: false | true | { key: string; cert: string };
  certDir: string;
  roomCapacity: number;
  maxMessageBytes: number;
  maxHttpBufferSize: number;
  staticRoots: { steps: string; diagnostics: string };
  iceServers: IceServerOptions;
  logLevel: LogLevel;
  logFormat: LogFormat;
  allowedOrigins: string[];
  redisUrl: string | undefined;
  redisCluster: RedisClusterNode[] | undefined;
  redisKeyPrefix: string;
  seatTtlMs: number;
  reconnectGraceMs: number;
  rateLimits: { messages: RateLimit; joins: RateLimit; messageBytes: RateLimit };
  publicHosts: string[];
  metricsToken: string | undefined;
  addressLimits: AddressLimitOptions;
  maxQueuedBytes: number;
  trustedProxies: TrustedProxies;
}

/** A Redis Cluster node to start from (`redisCluster`). */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/** `host:port` (an IPv6 address in brackets: `[::1]:7000`), as `--redis-cluster` takes them. */
export const REDIS_CLUSTER_NODE_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function parseRedisCluster(nodes: readonly string[] | undefined): RedisClusterNode[] | undefined {
  const given = (nodes ?? []).map((node) => node.trim()).filter((node) => node !== '');
  if (given.length === 0) return undefined;
  return given.map((node) => {
    const match = REDIS_CLUSTER_NODE_PATTERN.exec(node);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65535) {
      throw new ServerConfigError(`A Redis Cluster node must look like 127.0.0.1:7000, got "${node}".`);
    }
    return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
  });
}

export function resolveOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerConfigError(`Port must be a whole number from 0 to 65535, got ${String(port)}.`);
  }
  const roomCapacity = options.roomCapacity ?? DEFAULT_ROOM_CAPACITY;
  if (!Number.isInteger(roomCapacity) || roomCapacity < 2) {
    throw new ServerConfigError(`Room capacity must be a whole number of at least 2, got ${String(roomCapacity)}.`);
  }
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024) {
    throw new ServerConfigError(`maxMessageBytes must be a whole number of at least 1024, got ${String(maxMessageBytes)}.`);
  }
  const logLevel = options.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ServerConfigError(`Log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(logLevel)}.`);
  }
  const logFormat = options.logFormat ?? 'text';
  if (!LOG_FORMATS.includes(logFormat)) {
    throw new ServerConfigError(`Log format must be one of ${LOG_FORMATS.join(', ')}, got ${String(logFormat)}.`);
  }
  const redisUrl = options.redisUrl === '' ? undefined : options.redisUrl;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ServerConfigError(`The Redis URL must look like redis://127.0.0.1:6379, got "${redisUrl}".`);
  }
  const redisCluster = parseRedisCluster(options.redisCluster);
  if (redisUrl !== undefined && redisCluster !== undefined) {
    throw new ServerConfigError('Give either a Redis URL (one Redis) or Redis Cluster nodes, not both.');
  }
  const redisKeyPrefix = options.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(redisKeyPrefix)) {
    throw new ServerConfigError(`The Redis key prefix must be 1–64 letters, digits, ":", "_" or "-", got "${redisKeyPrefix}".`);
  }
  const seatTtlMs = options.seatTtlMs ?? DEFAULT_SEAT_TTL_MS;
  if (!Number.isInteger(seatTtlMs) || seatTtlMs < 500) {
    throw new ServerConfigError(`The seat TTL must be a whole number of milliseconds, at least 500, got ${String(seatTtlMs)}.`);
  }
  const reconnectGraceMs = options.reconnectGraceMs ?? DEFAULT_RECONNECT_GRACE_MS;
  if (!Number.isInteger(reconnectGraceMs) || reconnectGraceMs < 0) {
    throw new ServerConfigError(`The reconnect grace must be a whole number of milliseconds (0 = off), got ${String(reconnectGraceMs)}.`);
  }
  const rateLimits = {
    messages: { ...DEFAULT_RATE_LIMITS.messages, ...options.rateLimits?.messages },
    joins: { ...DEFAULT_RATE_LIMITS.joins, ...options.rateLimits?.joins },
    messageBytes: { ...DEFAULT_MESSAGE_BYTES_LIMIT, ...options.rateLimits?.messageBytes },
  };
  for (const [name, limit] of Object.entries(rateLimits)) {
    const problem = assertRateLimit(limit, `rateLimits.${name}`);
    if (problem !== undefined) throw new ServerConfigError(problem);
  }
  const addressLimits: AddressLimitOptions = {
    connections: options.addressLimits?.connections ?? DEFAULT_ADDRESS_LIMITS.connections,
    handshakes: { ...DEFAULT_ADDRESS_LIMITS.handshakes, ...options.addressLimits?.handshakes },
    joins: { ...DEFAULT_ADDRESS_LIMITS.joins, ...options.addressLimits?.joins },
    iceServers: { ...DEFAULT_ADDRESS_LIMITS.iceServers, ...options.addressLimits?.iceServers },
  };
  if (!Number.isInteger(addressLimits.connections) || addressLimits.connections < 1) {
    throw new ServerConfigError(`addressLimits.connections must be a whole number of at least 1, got ${String(addressLimits.connections)}.`);
  }
  for (const name of ['handshakes', 'joins', 'iceServers'] as const) {
    const problem = assertRateLimit(addressLimits[name], `addressLimits.${name}`);
    if (problem !== undefined) throw new ServerConfigError(problem);
  }
  const metricsToken = options.metricsToken === '' ? undefined : options.metricsToken;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ServerConfigError('The metrics token must be at least 16 characters (e.g. from `openssl rand -hex 16`).');
  }
  if (rateLimits.messageBytes.burst < maxMessageBytes) {
    throw new ServerConfigError(
      `rateLimits.messageBytes.burst (${rateLimits.messageBytes.burst}) must be at least maxMessageBytes (${maxMessageBytes}), or the largest allowed message could never be sent.`,
    );
  }
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  if (!Number.isInteger(maxQueuedBytes) || maxQueuedBytes < maxMessageBytes) {
    throw new ServerConfigError(`maxQueuedBytes must be a whole number of at least maxMessageBytes (${maxMessageBytes}), got ${String(maxQueuedBytes)}.`);
  }
  const iceServers = options.iceServers ?? {};
  assertIceServerOptions(iceServers);
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = new TrustedProxies(options.trustProxy ?? []);
  } catch (error) {
    throw new ServerConfigError(error instanceof Error ? error.message : String(error));
  }
  return {
    host: options.host ?? DEFAULT_HOST,
    port,
    https: options.https ?? false,
    certDir: options.certDir ?? join(REPO_ROOT, '.certs'),
    roomCapacity,
    maxMessageBytes,
    maxHttpBufferSize: maxMessageBytes + BUFFER_HEADROOM_BYTES,
    staticRoots: {
      steps: options.staticRoots?.steps ?? join(REPO_ROOT, 'apps', 'steps', 'dist'),
      diagnostics: options.staticRoots?.diagnostics ?? join(REPO_ROOT, 'apps', 'diagnostics', 'dist'),
    },
    iceServers,
    logLevel,
    logFormat,
    allowedOrigins: options.allowedOrigins ?? [],
    redisUrl,
    redisCluster,
    redisKeyPrefix,
    seatTtlMs,
    reconnectGraceMs,
    rateLimits,
    publicHosts: options.publicHosts ?? [],
    metricsToken,
    addressLimits,
    maxQueuedBytes,
    trustedProxies,
  };
}
