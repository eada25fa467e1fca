/**
 * ICE server URLs (`stun:`, `turn:`, `turns:` with `?transport=`) and the checks each one needs:
 * which transports to try, which a browser cannot, and the targets a run goes through.
 */
import { m } from '@workbench/i18n/messages';
import { ErrorCode, WorkbenchError } from '../../errors.js';

export type IceServerKind = 'stun' | 'turn';
/** How the browser reaches the server: UDP, TCP, or TLS over TCP (`turns:`). */
export type IceCheckTransport = 'udp' | 'tcp' | 'tls';
export type IcePolicy = 'all' | 'relay';

export interface IceServerUrl {
  /** The URL as written (trimmed). */
  url: string;
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  kind: IceServerKind;
  /** Host name or IP, IPv6 without brackets. */
  host: string;
  /** The port, or the scheme's default (3478, 5349 for the TLS schemes). */
  port: number;
  /** `?transport=` when given. */
  transport?: 'udp' | 'tcp';
}

const URL_PATTERN = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[^\s:/?#[\]@]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

/**
 * Parses a STUN/TURN URL (RFC 7064/7065): `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`,
 * `stuns:`/`turns:` for TLS. Throws WorkbenchError INVALID_ARGUMENT with a sentence saying what
 * is wrong: credentials belong in the username/credential fields, never in the URL.
 */
export function parseIceServerUrl(input: string): IceServerUrl {
  const url = input.trim();
  const fail = (why: string) =>
    new WorkbenchError(ErrorCode.InvalidArgument, m.ice_url_invalid({ url, why }));
  if (/^[a-z]+:\/\//i.test(url)) throw fail(m.ice_url_no_slashes());
  if (url.includes('@')) throw fail(m.ice_url_no_credentials());
  const match = URL_PATTERN.exec(url);
  if (!match) {
    throw fail(m.ice_url_expected());
  }
  const scheme = (match[1] ?? '').toLowerCase() as IceServerUrl['scheme'];
  const host = (match[2] ?? '').replace(/^\[|\]$/g, '');
  const tls = scheme === 'stuns' || scheme === 'turns';
  const port = match[3] !== undefined ? Number(match[3]) : tls ? 5349 : 3478;
  if (port < 1 || port > 65535) throw fail(m.ice_url_port_range({ port }));
  const transport = match[4]?.toLowerCase() as 'udp' | 'tcp' | undefined;
  if (transport && scheme.startsWith('stun')) throw fail(m.ice_url_stun_transport());
  return { url, scheme, kind: scheme.startsWith('stun') ? 'stun' : 'turn', host, port, ...(transport ? { transport } : {}) };
}

/** `host:port` (`[v6]:port`), the endpoint a server listens on, whatever the scheme. */
export function iceServerEndpoint(server: Pick<IceServerUrl, 'host' | 'port'>): string {
  return `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
}

/** One thing to test: one server URL over one transport, in a peer connection of its own. */
export interface IceCheckTarget {
  /** Stable within a run: `<url as given to the browser>`. */
  id: string;
  /** The URL given to RTCPeerConnection for this check, with `?transport=` made explicit. */
  url: string;
  /** The URL as the person wrote it. */
  serverUrl: string;
  kind: IceServerKind;
  transport: IceCheckTransport;
  /** Why a browser cannot test this combination; the check is then skipped with this reason. */
  unsupported?: string;
}

/**
 * The checks one URL needs: `turn:h:p` without a transport is tested over UDP and TCP
 * separately (a firewall often blocks one and not the other); `turns:` over TLS; `stun:` over UDP.
 */
export function iceCheckTargets(input: string): IceCheckTarget[] {
  const parsed = parseIceServerUrl(input);
  const base = `${parsed.scheme}:${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:${parsed.port}`;
  const make = (transport: IceCheckTransport, url: string, unsupported?: string): IceCheckTarget => ({
    id: url,
    url,
    serverUrl: parsed.url,
    kind: parsed.kind,
    transport,
    ...(unsupported ? { unsupported } : {}),
  });
  switch (parsed.scheme) {
    case 'stun':
      return [make('udp', base)];
    case 'stuns':
      return [make('tls', base, m.ice_url_no_stuns())];
    case 'turn':
      return (parsed.transport ? [parsed.transport] : (['udp', 'tcp'] as const)).map((t) => make(t, `${base}?transport=${t}`));
    case 'turns':
      return parsed.transport === 'udp'
        ? [make('tls', `${base}?transport=udp`, m.ice_url_no_dtls())]
        : [make('tls', `${base}?transport=tcp`)];
  }
}

/** A check target tied to the server entry it came from. */
export interface IceRunTarget extends IceCheckTarget {
  serverId: string;
}

/**
 * The checks for a whole server list: every entry × transport is its own check, whatever the
 * URLs. Ids stay the check URL (as in {@link iceCheckTargets}) for the first check of a URL and
 * get `#2`, `#3`… for later ones, so two entries with one URL (the configuration's TURN URL and
 * the same URL with other credentials, or `turn:h:p` next to `turn:h:p?transport=udp`) never
 * share an id: the page keys its cards, loopback rows and candidate rows by it.
 */
export function iceRunTargets(servers: readonly { id: string; url: string }[]): IceRunTarget[] {
  const seen = new Map<string, number>();
  return servers.flatMap((server) =>
    iceCheckTargets(server.url).map((target) => {
      const n = (seen.get(target.id) ?? 0) + 1;
      seen.set(target.id, n);
      return { ...target, id: n === 1 ? target.id : `${target.id}#${n}`, serverId: server.id };
    }),
  );
}
