/**
 * What `GET /api/ice-servers` answers: the configured STUN list and TURN servers, the TURN ones
 * with fresh REST-API credentials on every request when a shared secret is configured.
 */
import { randomBytes } from 'node:crypto';
import { ServerConfigError } from './errors.js';
import { turnRestCredentials } from './turn-credentials.js';

/** What codelab learners expect when they configure nothing (the CLI's default). */
export const DEFAULT_STUN_URLS: readonly string[] = ['stun:stun.l.google.com:19302'];

export const DEFAULT_TURN_TTL_SECONDS = 3600;

export interface IceServerOptions {
  stun?: string[];
  turn?: { urls: string[]; secret?: string; username?: string; credential?: string; ttlSeconds?: number };
}

/** The RTCIceServer fields this server fills (declared here so the server needs no DOM types). */
export interface IceServerEntry {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface IceServersResponse {
  iceServers: IceServerEntry[];
  /** Only with a TURN secret: how long the TURN credentials were issued for. */
  ttlSeconds?: number;
  /** Only with a TURN secret: when they stop working, Unix milliseconds. */
  expiresAt?: number;
}

export function iceServersResponse(options: IceServerOptions | undefined, now: number = Date.now()): IceServersResponse {
  const iceServers: IceServerEntry[] = [];
  const stun = options?.stun ?? [];
  if (stun.length > 0) iceServers.push({ urls: [...stun] });

  const turn = options?.turn;
  if (turn === undefined || turn.urls.length === 0) return { iceServers };
  if (turn.secret !== undefined && turn.secret !== '') {
    const ttlSeconds = turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
    // A random user part makes every answer a distinct credential; coturn only checks the HMAC
    // and the expiry, so the name itself carries nothing.
    const user = `workbench-${randomBytes(4).toString('hex')}`;
    const { username, credential, expiresAt } = turnRestCredentials(turn.secret, user, ttlSeconds, now);
    iceServers.push({ urls: [...turn.urls], username, credential });
    return { iceServers, ttlSeconds, expiresAt };
  }
  // Options are checked at startup (assertIceServerOptions), so static credentials exist here.
  iceServers.push({ urls: [...turn.urls], username: turn.username ?? '', credential: turn.credential ?? '' });
  return { iceServers };
}

/** Throws at startup on a configuration browsers would reject later, far from the cause. */
export function assertIceServerOptions(options: IceServerOptions | undefined): void {
  for (const url of options?.stun ?? []) {
    if (!/^stuns?:[^\s]+$/.test(url)) {
      throw new ServerConfigError(`STUN URL "${url}" must look like stun:host:port (e.g. stun:stun.l.google.com:19302).`);
    }
  }
  const turn = options?.turn;
  if (turn === undefined) return;
  for (const url of turn.urls) {
    if (!/^turns?:[^\s]+$/.test(url)) {
      throw new ServerConfigError(`TURN URL "${url}" must look like turn:host:port or turns:host:port?transport=tcp.`);
    }
  }
  const hasSecret = turn.secret !== undefined && turn.secret !== '';
  const hasStatic = turn.username !== undefined && turn.credential !== undefined;
  if (turn.urls.length > 0 && !hasSecret && !hasStatic) {
    // RTCPeerConnection throws InvalidAccessError for a TURN URL without credentials.
    throw new ServerConfigError(
      'TURN URLs need credentials: give the shared secret (--turn-secret, coturn use-auth-secret) ' +
        'or a static username and credential (--turn-username/--turn-credential).',
    );
  }
  if (turn.urls.length === 0 && (hasSecret || hasStatic)) {
    throw new ServerConfigError('TURN credentials are set but no TURN URL is: add --turn-url turn:host:3478.');
  }
  if (turn.ttlSeconds !== undefined && !(Number.isInteger(turn.ttlSeconds) && turn.ttlSeconds > 0)) {
    throw new ServerConfigError(`TURN TTL must be a positive whole number of seconds, got ${String(turn.ttlSeconds)}.`);
  }
}
