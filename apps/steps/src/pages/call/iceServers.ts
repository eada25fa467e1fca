/**
 * The STUN/TURN servers a call uses, from the workbench server's `/api/ice-servers`. The codelab
 * built a STUN configuration and then created its RTCPeerConnection without it; here the answer
 * goes straight into `new RTCPeerConnection({ iceServers })`.
 */

export interface IceServersResult {
  iceServers: RTCIceServer[];
  /** Set when the list could not be fetched or read; the call then uses host candidates only. */
  problem?: string;
}

export const ICE_SERVERS_PATH = '/api/ice-servers';

function isIceServer(value: unknown): value is RTCIceServer {
  if (typeof value !== 'object' || value === null) return false;
  const { urls, username, credential } = value as Record<string, unknown>;
  const urlsOk = typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((url) => typeof url === 'string'));
  return urlsOk && (username === undefined || typeof username === 'string') && (credential === undefined || typeof credential === 'string');
}

/**
 * Fetches the list. Never throws: a call between two tabs on one machine works without any ICE
 * server, so a missing list is a warning (`problem`) and the call goes on with host candidates.
 */
export async function fetchIceServers(fetcher: typeof fetch = fetch, path: string = ICE_SERVERS_PATH): Promise<IceServersResult> {
  let response: Response;
  try {
    response = await fetcher(path, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    return { iceServers: [], problem: `${path} could not be fetched (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!response.ok) return { iceServers: [], problem: `${path} answered HTTP ${response.status}.` };
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { iceServers: [], problem: `${path} did not answer JSON.` };
  }
  const list = (body as { iceServers?: unknown } | null)?.iceServers;
  if (!Array.isArray(list) || !list.every(isIceServer)) {
    return { iceServers: [], problem: `${path} answered something other than {iceServers: RTCIceServer[]}.` };
  }
  return { iceServers: list };
}

/** `stun:a, turn:b (user workbench-1a2b…)` for the log; credentials are never shown. */
export function describeIceServers(iceServers: readonly RTCIceServer[]): string {
  if (iceServers.length === 0) return 'none (host candidates only: fine on one machine or one LAN)';
  return iceServers
    .map((server) => {
      const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
      return server.username ? `${urls.join(', ')} (user ${server.username})` : urls.join(', ');
    })
    .join('; ');
}
