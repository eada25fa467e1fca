/**
 * The ICE page's server list as data: validating what a person typed, keeping their servers in
 * localStorage, turning `/api/ice-servers` into entries, and each entry into an RTCIceServer.
 * Credentials live only here and in the peer connections: never in a URL, a log line or (unless
 * the person opts in) an exported report.
 */
import { iceCheckTargets, type IceCheckTarget, type IceServerEntry } from '@workbench/core/ice-diagnostics';
import { m } from '@workbench/i18n/messages';

export const STORAGE_KEY = 'workbench.ice-servers.v1';

export interface ServerDraft {
  url: string;
  username: string;
  credential: string;
}

export type ServerValidation = { ok: true; targets: IceCheckTarget[] } | { ok: false; message: string };

/** What is wrong with a server as typed, in a sentence; or the checks it will run. */
export function validateServer(draft: ServerDraft): ServerValidation {
  let targets: IceCheckTarget[];
  try {
    targets = iceCheckTargets(draft.url);
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (targets[0]?.kind === 'turn' && (draft.username === '' || draft.credential === '')) {
    // RTCPeerConnection throws InvalidAccessError for a TURN URL without both.
    return { ok: false, message: m.ice_servers_turn_needs_credentials() };
  }
  return { ok: true, targets };
}

let counter = 0;
export function newServerId(): string {
  counter += 1;
  return `s${Date.now().toString(36)}${counter.toString(36)}`;
}

export function entryFromDraft(draft: ServerDraft, source: IceServerEntry['source'] = 'user', id = newServerId()): IceServerEntry {
  return {
    id,
    url: draft.url.trim(),
    source,
    ...(draft.username !== '' ? { username: draft.username } : {}),
    ...(draft.credential !== '' ? { credential: draft.credential } : {}),
  };
}

/** The RTCIceServer for one entry, or for one of its check URLs (`turn:h:p?transport=tcp`). */
export function toRtcIceServer(entry: IceServerEntry, url: string = entry.url): RTCIceServer {
  return {
    urls: url,
    ...(entry.username !== undefined ? { username: entry.username } : {}),
    ...(entry.credential !== undefined ? { credential: entry.credential } : {}),
  };
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function isStoredEntry(value: unknown): value is IceServerEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
  return typeof e.id === 'string' && typeof e.url === 'string' && optionalString(e.username) && optionalString(e.credential);
}

/** The person's saved servers; anything unreadable is ignored rather than breaking the page. */
export function loadServers(storage: StorageLike | undefined): IceServerEntry[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isStoredEntry).map((e) => ({ ...e, source: 'user' as const })) : [];
  } catch {
    return [];
  }
}

/**
 * Saves the person's own servers. Entries from `/api/ice-servers` are left out: their REST
 * credentials expire, and the button fetches fresh ones.
 */
export function saveServers(storage: StorageLike | undefined, entries: readonly IceServerEntry[]): void {
  const own = entries.filter((e) => e.source === 'user').map(({ id, url, username, credential }) => ({ id, url, username, credential }));
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(own));
  } catch {
    // Private windows and full quotas refuse writes; the list still works for this visit.
  }
}

export interface ApiIceServers {
  entries: IceServerEntry[];
  /** When the TURN REST credentials stop working (Unix ms), if the server issued any. */
  expiresAt?: number;
}

/** `/api/ice-servers` → one entry per URL, so each is tested and shown on its own. */
export function serversFromApi(body: unknown): ApiIceServers {
  const list = (body as { iceServers?: unknown } | null)?.iceServers;
  if (!Array.isArray(list)) throw new TypeError('/api/ice-servers did not answer {iceServers: [...]}.');
  const entries: IceServerEntry[] = [];
  for (const server of list as { urls?: unknown; username?: unknown; credential?: unknown }[]) {
    const urls = typeof server.urls === 'string' ? [server.urls] : Array.isArray(server.urls) ? server.urls : [];
    for (const url of urls) {
      if (typeof url !== 'string') continue;
      entries.push(
        entryFromDraft(
          { url, username: typeof server.username === 'string' ? server.username : '', credential: typeof server.credential === 'string' ? server.credential : '' },
          'server',
        ),
      );
    }
  }
  const expiresAt = (body as { expiresAt?: unknown }).expiresAt;
  return { entries, ...(typeof expiresAt === 'number' ? { expiresAt } : {}) };
}
