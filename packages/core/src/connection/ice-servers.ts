/**
 * The STUN/TURN servers the workbench server hands out at `/api/ice-servers` (TURN with fresh
 * REST-API credentials), fetched and checked in one place for every page that makes a call.
 * The codelab built a STUN configuration and then created its RTCPeerConnection without it; pages
 * pass this list straight into `new RTCPeerConnection({ iceServers })`.
 */
import { m } from '@workbench/i18n/messages';

export const ICE_SERVERS_PATH = '/api/ice-servers';

export interface IceServersResult {
  iceServers: RTCIceServer[];
  /** When TURN credentials in the list expire (ms since the epoch), if the server said. */
  expiresAt?: number;
  /** Set when the list could not be fetched or read; a call then uses host candidates only. */
  problem?: string;
}

export function isIceServer(value: unknown): value is RTCIceServer {
  if (typeof value !== 'object' || value === null) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  const urlsOk = typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((url) => typeof url === 'string'));
  return urlsOk && (username === undefined || typeof username === 'string') && (credential === undefined || typeof credential === 'string');
}

/**
 * Fetches the list. Never throws: a call between two tabs on one machine works without any ICE
 * server, so a missing list is a warning (`problem`) the page shows, and the call goes on.
 */
export async function fetchIceServers(fetcher: typeof fetch = fetch, path: string = ICE_SERVERS_PATH): Promise<IceServersResult> {
  let response: Response;
  try {
    response = await fetcher(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    return { iceServers: [], problem: m.core_ice_servers_fetch_failed({ path, message: error instanceof Error ? error.message : String(error) }) };
  }
  if (!response.ok) return { iceServers: [], problem: m.core_ice_servers_http({ path, status: response.status }) };
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { iceServers: [], problem: m.core_ice_servers_not_json({ path }) };
  }
  const { iceServers: list, expiresAt } = (body ?? {}) as { iceServers?: unknown; expiresAt?: unknown };
  if (!Array.isArray(list) || !list.every(isIceServer)) {
    return { iceServers: [], problem: m.core_ice_servers_bad_shape({ path, shape: '{iceServers: RTCIceServer[]}' }) };
  }
  return typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? { iceServers: list, expiresAt } : { iceServers: list };
}

/** A list this page fetched: shared while in flight, then reused while its credentials are fresh. */
export interface IceServersCache {
  latest?: { result: Promise<IceServersResult>; until: number };
}

/** TURN credentials last an hour by default; a list older than this (or half its credentials' life) is fetched again. */
const ICE_SERVERS_MAX_AGE_MS = 10 * 60_000;
const pageCache: IceServersCache = {};

/**
 * The list, fetched once per need: every caller while a fetch is in flight shares it (a page that
 * fetched at load and rejoined its room at once asked twice), and a good answer is reused until it
 * is ten minutes old or half its credentials' life is gone. A failed one is asked again next time.
 */
export function loadIceServers(fetcher: typeof fetch = fetch, cache: IceServersCache = pageCache, now: () => number = Date.now): Promise<IceServersResult> {
  const latest = cache.latest;
  if (latest && now() < latest.until) return latest.result;
  const startedAt = now();
  const entry = { result: fetchIceServers(fetcher), until: Number.POSITIVE_INFINITY };
  cache.latest = entry;
  void entry.result.then((answer) => {
    if (answer.problem) entry.until = 0;
    else entry.until = startedAt + Math.min(ICE_SERVERS_MAX_AGE_MS, answer.expiresAt ? (answer.expiresAt - startedAt) / 2 : Number.POSITIVE_INFINITY);
  });
  return entry.result;
}

function urlsOf(server: RTCIceServer): string[] {
  return typeof server.urls === 'string' ? [server.urls] : [...server.urls];
}

/** True when the list has a TURN server, which a relay-only policy needs. */
export function hasTurn(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((server) => urlsOf(server).some((url) => /^turns?:/i.test(url)));
}

/** `stun:a; turn:b (user 1700000000:workbench-1a2b)` for a log line; credentials are never shown. */
export function describeIceServers(iceServers: readonly RTCIceServer[]): string {
  if (iceServers.length === 0) return m.core_ice_servers_none();
  return iceServers
    .map((server) => (server.username ? m.core_ice_server_user({ urls: urlsOf(server).join(', '), username: server.username }) : urlsOf(server).join(', ')))
    .join('; ');
}
