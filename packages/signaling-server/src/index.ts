/**
 * @workbench/signaling-server: the codelab-compatible socket.io signaling server (rooms, relay,
 * v2/v3 clients), which also serves the built apps, `/healthz` and `/api/ice-servers`.
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
export type { LogLevel } from './logger.js';
export { DEFAULT_HOST, DEFAULT_PORT, REPO_ROOT, type ServerOptions } from './options.js';
export { RoomRegistry, type RoomJoinOutcome, type RoomLeaveOutcome, type RoomMember } from './room-registry.js';
export { startServer, type RunningServer } from './server.js';
export type { SignalingServer } from './signaling.js';
export { turnRestCredentials, type TurnCredentials } from './turn-credentials.js';
