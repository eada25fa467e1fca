/** The server's configuration: what callers may set and the defaults they get otherwise. */
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_ROOM_CAPACITY } from '@workbench/core/protocol';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ServerConfigError } from './errors.js';
import { assertIceServerOptions, type IceServerOptions } from './ice-servers.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';

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
  /**
   * Extra page origins allowed to open a socket (e.g. a Vite dev server on another port). By
   * default only pages served by this server may connect, so a random site a learner visits
   * cannot join their rooms.
   */
  allowedOrigins?: string[];
}

/** The repository root, found from this file's place in packages/signaling-server/{src,dist}/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;
/** Headroom over the message limit so an oversized message reaches the validator, which answers
 * PAYLOAD_TOO_LARGE, instead of socket.io silently dropping the connection. */
const BUFFER_HEADROOM_BYTES = 64 * 1024;

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
  allowedOrigins: string[];
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
  const iceServers = options.iceServers ?? {};
  assertIceServerOptions(iceServers);
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
    allowedOrigins: options.allowedOrigins ?? [],
  };
}
