/**
 * @workbench/signaling-server: the codelab-compatible socket.io signaling server (rooms, relay,
 * v2/v3 clients), which also serves the built apps, `/healthz`, `/metrics` and `/api/ice-servers`.
 * One process keeps rooms in memory; with `redisUrl` (or `redisCluster`) several processes share them through Redis.
 */
export { createApplication, isOriginAllowed, type Application } from './application.js';
export { loadOrCreateCertificate, lanIPv4Addresses, type CertificatePair } from './certificate.js';
export { CLI_USAGE, parseCliArgs, type CliOptions } from './cli-args.js';
export { CliArgsError, ServerConfigError, ServerError, ServerErrorCode } from './errors.js';
export type { HealthReport } from './http-handler.js';
export {
  DEFAULT_STUN_URLS,
  DEFAULT_TURN_TTL_SECONDS,
  iceServersResponse,
  type IceServerEntry,
  type IceServerOptions,
  type IceServersResponse,
} from './ice-servers.js';
export type { LogFormat, LogLevel } from './logger.js';
export { METRICS_CONTENT_TYPE, SignalingMetrics, type RejectionReason } from './metrics.js';
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_RATE_LIMITS,
  DEFAULT_RECONNECT_GRACE_MS,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_SEAT_TTL_MS,
  REPO_ROOT,
  type ServerOptions,
} from './options.js';
export type { RateLimit } from './rate-limit.js';
export { RedisUnavailableError } from './redis-seat-store.js';
export type { SeatStore } from './seat-store.js';
export { RoomRegistry, type RoomJoinOutcome, type RoomLeaveOutcome, type RoomMember } from './room-registry.js';
export { startServer, type RunningServer } from './server.js';
export { FLOOD_DISCONNECT_AFTER, type SignalingServer } from './signaling.js';
export { turnRestCredentials, type TurnCredentials } from './turn-credentials.js';
