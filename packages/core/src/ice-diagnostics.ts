/**
 * ICE diagnostics: what a STUN/TURN test may conclude from what a browser reports. Server URLs
 * and the checks each one needs; the `icecandidateerror` code table (meaning, likely cause, fix)
 * with the rule for non-fatal 701s; the verdict per server and transport within a time budget;
 * NAT-mapping inference; plain-language findings; and the versioned report (export, import,
 * text summary). Pure functions over plain data: the page feeds them what its peer connections
 * saw, so every rule here is unit-tested without a browser.
 */
import * as v from 'valibot';

import { ErrorCode, WorkbenchError } from './errors.js';
import {
  classifyAddress,
  parseCandidate,
  relayProtocolFromPriority,
  type AddressFamily,
  type ParsedCandidate,
  type RelayProtocol,
} from './ice.js';

// ---- Server URLs and the checks they need -------------------------------------------------

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
    new WorkbenchError(ErrorCode.InvalidArgument, `"${url}" is not a STUN/TURN URL: ${why}`);
  if (/^[a-z]+:\/\//i.test(url)) throw fail('write it without "//", e.g. turn:turn.example.org:3478.');
  if (url.includes('@')) throw fail('put the username and password in their own fields, not in the URL.');
  const match = URL_PATTERN.exec(url);
  if (!match) {
    throw fail('expected stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:host[:port].');
  }
  const scheme = (match[1] ?? '').toLowerCase() as IceServerUrl['scheme'];
  const host = (match[2] ?? '').replace(/^\[|\]$/g, '');
  const tls = scheme === 'stuns' || scheme === 'turns';
  const port = match[3] !== undefined ? Number(match[3]) : tls ? 5349 : 3478;
  if (port < 1 || port > 65535) throw fail(`port ${port} is out of range (1–65535).`);
  const transport = match[4]?.toLowerCase() as 'udp' | 'tcp' | undefined;
  if (transport && scheme.startsWith('stun')) throw fail('STUN URLs take no ?transport= (browsers send STUN over UDP).');
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
      return [make('tls', base, 'Browsers do not support STUN over TLS (stuns:). Test the server with stun: (UDP), or use a turns: URL.')];
    case 'turn':
      return (parsed.transport ? [parsed.transport] : (['udp', 'tcp'] as const)).map((t) => make(t, `${base}?transport=${t}`));
    case 'turns':
      return parsed.transport === 'udp'
        ? [make('tls', `${base}?transport=udp`, 'Browsers do not support TURN over DTLS (turns: with ?transport=udp). Use turns:…?transport=tcp (TLS) or turn: with UDP.')]
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

// ---- The icecandidateerror code table -----------------------------------------------------

export interface IceErrorCodeInfo {
  code: number;
  /** The STUN reason phrase (RFC 8489/8656), or the browser's name for 7xx. */
  name: string;
  meaning: string;
  cause: string;
  fix: string;
}

function entry(code: number, name: string, meaning: string, cause: string, fix: string): [number, IceErrorCodeInfo] {
  return [code, { code, name, meaning, cause, fix }];
}

/**
 * Every error code an `icecandidateerror` carries in practice: STUN/TURN error responses
 * (300–699, from the server) and 701 (from the browser: the server could not be reached).
 */
export const ICE_ERROR_CODES: Readonly<Record<number, IceErrorCodeInfo>> = Object.fromEntries([
  entry(300, 'Try Alternate', 'The server told the browser to use another server (ALTERNATE-SERVER).',
    'The server is overloaded or being drained, or it is configured to redirect every client.',
    "Use the alternate server's address directly, or check the server's alternate-server setting."),
  entry(400, 'Bad Request', 'The server could not understand the request.',
    'Something other than a STUN/TURN server listens on that port, or a proxy altered the request.',
    'Check the URL points at the STUN/TURN port (3478 by default, 5349 for TLS) of a STUN/TURN server.'),
  entry(401, 'Unauthorized', 'The server refused the username and password.',
    'A wrong username or password; for TURN REST credentials (username "<expiry>:<user>"), an expired username or a shared secret that differs between the server that issued them and the TURN server.',
    "Check the credentials. For REST credentials, make the TURN server's static-auth-secret equal to the signaling server's secret, fetch fresh ones, and check both clocks are right."),
  entry(403, 'Forbidden', 'The server refused the request although the credentials were accepted.',
    'The user is not allowed to allocate, or the server denies the peer address (e.g. denied-peer-ip covering private ranges).',
    "Check the user's rights and the server's allowed/denied peer address ranges."),
  entry(405, 'Mobility Forbidden', 'The server does not allow moving an allocation to a new address.',
    'The network changed during a call (e.g. Wi-Fi to cellular) and the server does not support TURN mobility.',
    'Nothing to fix in the page: the browser allocates again. Enable mobility on the server if you need it.'),
  entry(420, 'Unknown Attribute', 'The server does not understand a required attribute of the request.',
    'An old or minimal STUN server that lacks an extension the browser uses.',
    'Use a current STUN/TURN server (e.g. coturn 4.5 or newer).'),
  entry(437, 'Allocation Mismatch', "The request does not match the server's allocation for this connection.",
    'An allocation from an earlier session is still open on the same address and port, or a refresh arrived after the allocation expired.',
    'Usually transient: run the test again. If it repeats, restart the TURN server or wait for old allocations to expire (10 minutes).'),
  entry(438, 'Stale Nonce', "The server's nonce expired and the browser's retry with a fresh one failed too.",
    "The server's clock jumps, or a load balancer spreads one client's requests over servers with different nonce secrets.",
    'Make the load balancer keep a client on one server (sticky by source address) and check the server clock.'),
  entry(440, 'Address Family not Supported', 'The server cannot relay the IP version the browser asked for.',
    'The browser asked for an IPv6 (or IPv4) relay and the server has no relay address of that family.',
    'Not a problem if the other family works; otherwise give the server a relay address of that family (coturn relay-ip).'),
  entry(441, 'Wrong Credentials', 'The credentials differ from the ones that created this allocation.',
    'The same address and port were used with two different usernames, e.g. credentials changed mid-session.',
    'Use one set of credentials per connection: reload the page and run the test again.'),
  entry(442, 'Unsupported Transport Protocol', 'The server will not relay the transport the browser asked for.',
    'Browsers ask for UDP relays; the server has UDP relaying turned off (coturn no-udp-relay).',
    'Enable UDP relaying on the TURN server.'),
  entry(443, 'Peer Address Family Mismatch', "The peer's IP version differs from the relay address's.",
    'An IPv6 peer was given to an IPv4 allocation, or the reverse.',
    'Allocate relays of both families on the server, or ignore it if calls connect over the other family.'),
  entry(446, 'Connection Already Exists', 'A TCP relay connection to that peer already exists (RFC 6062).',
    'A retried TCP relay connection while the previous one is still open.', 'Usually transient: run the test again.'),
  entry(447, 'Connection Timeout or Failure', 'The server could not open a TCP connection to the peer (RFC 6062).',
    'The peer is unreachable from the TURN server over TCP.', "Check the peer's address and the server's outbound firewall."),
  entry(486, 'Allocation Quota Reached', 'The server refuses more allocations for this user.',
    'Too many open allocations for this username (coturn user-quota) or for the server (total-quota), e.g. many tabs or leaked peer connections.',
    'Close other calls and tabs using this TURN user, close peer connections you no longer need, or raise the quota.'),
  entry(487, 'Role Conflict', 'Both ICE agents claimed the same role (controlling/controlled).',
    'A connectivity check crossed a check from the other side; ICE resolves it by itself.',
    'Nothing to do: the browser switches roles and retries.'),
  entry(500, 'Server Error', 'The server failed while handling the request.',
    'A temporary problem on the server (overload, a restart, a bug).', "Try again; if it repeats, read the TURN server's log."),
  entry(508, 'Insufficient Capacity', 'The server has no relay capacity left.',
    'Its relay port range (coturn min-port/max-port) is exhausted or a bandwidth limit is reached.',
    'Widen the relay port range, raise the limits, or add TURN servers.'),
  entry(600, 'Global Failure', 'The server says no server can satisfy the request (RFC 3489).',
    'A legacy STUN server refusing the request outright.', 'Use another STUN server.'),
  entry(701, 'Server not reachable', 'The browser could not reach the server from one of its local addresses.',
    'No answer before the browser gave up (≈40 s for UDP), a DNS lookup that failed, or a TCP/TLS connection that could not be established (refused, or a certificate the browser rejects).',
    'Check the host name, port and transport, that the server runs, and that no firewall blocks it. For turns:, use a certificate valid for that host name.'),
]);

/** What a browser reported in an `icecandidateerror` event (the fields that matter). */
export interface ObservedIceError {
  /** Milliseconds since the check started. */
  atMs: number;
  errorCode: number;
  errorText: string;
  url: string;
  /** The local address the attempt used; Chromium masks part of it ("192.168.1.x"). */
  address: string | null;
  port: number | null;
}

/** Chromium masks the local address ("[0:0:0:x:x:x:x:x]", "192.168.1.x"); a colon is enough to tell IPv6. */
function isIpv6Local(error: ObservedIceError): boolean {
  return error.address?.includes(':') ?? false;
}

/** Which part of an attempt a 701 concerns: one local IPv6 address, a DNS lookup, or the server itself. */
export type IceErrorScope = 'ipv6' | 'dns' | 'server';

export interface ExplainedIceError extends IceErrorCodeInfo {
  error: ObservedIceError;
  scope: IceErrorScope;
  /** false when the error alone does not mean the server is unusable (see explainIceError). */
  fatal: boolean;
  /** Why it is not fatal, or facts that make the explanation specific (an expired REST username). */
  note?: string;
}

/** Seconds-since-epoch expiry in a TURN REST username (`<expiry>:<user>`), as Unix milliseconds. */
export function restCredentialExpiry(username: string | undefined): number | undefined {
  const match = username === undefined ? null : /^(\d{9,11})(?::|$)/.exec(username);
  return match ? Number(match[1]) * 1000 : undefined;
}

function describeExpiry(username: string | undefined, nowMs: number): string | undefined {
  const expiry = restCredentialExpiry(username);
  if (expiry === undefined) return undefined;
  const when = new Date(expiry).toISOString().replace('.000', '');
  return expiry <= nowMs
    ? `The username is a TURN REST credential that expired at ${when} (${Math.round((nowMs - expiry) / 1000)} s ago): fetch fresh credentials.`
    : `The username is a TURN REST credential valid until ${when}, so it has not expired: check that the TURN server's static-auth-secret matches the secret that issued it.`;
}

function genericCodeInfo(code: number): IceErrorCodeInfo {
  const byClass: Record<number, [string, string]> = {
    3: ['Redirect', 'The server redirected the request.'],
    4: ['Request error', 'The server rejected the request.'],
    5: ['Server error', 'The server failed while handling the request.'],
    6: ['Global failure', 'The server refused the request outright.'],
    7: ['Browser error', 'The browser could not complete the request.'],
  };
  const [name, meaning] = byClass[Math.floor(code / 100)] ?? ['Unknown error', 'The browser reported an error this page does not know.'];
  return { code, name, meaning, cause: 'This code is not in the table; the error text from the browser says more.', fix: "Look the code up in RFC 8489/8656 and read the server's log." };
}

/**
 * Explains one `icecandidateerror`. A 701 that concerns only a local IPv6 address (many networks
 * have no IPv6 route) or a DNS lookup (one address family of a name not resolving) is not
 * fatal: the browser tries each local address and family, and one failing is normal while
 * another works. Pass the username to explain a 401 caused by an expired REST credential.
 */
export function explainIceError(error: ObservedIceError, context: { username?: string; nowMs?: number } = {}): ExplainedIceError {
  const info = ICE_ERROR_CODES[error.errorCode] ?? genericCodeInfo(error.errorCode);
  let scope: IceErrorScope = 'server';
  let note: string | undefined;
  if (error.errorCode === 701) {
    if (/lookup|resolv|dns/i.test(error.errorText)) {
      scope = 'dns';
      note = 'Not fatal by itself: a DNS lookup failed for one local address family; fatal only if no family reaches the server.';
    } else if (isIpv6Local(error)) {
      scope = 'ipv6';
      note = 'Not fatal: it concerns a local IPv6 address only; many networks have no IPv6 route while IPv4 works.';
    }
  }
  if (error.errorCode === 401) note = describeExpiry(context.username, context.nowMs ?? Date.now());
  // 487 is resolved by ICE itself; every other error from a server ends that attempt.
  const fatal = scope === 'server' && error.errorCode !== 487;
  return { ...info, error, scope, fatal, ...(note ? { note } : {}) };
}

// ---- Verdicts -------------------------------------------------------------------------------

export type CheckStatus = 'idle' | 'running' | 'success' | 'failed' | 'skipped';
export type VerdictKind = 'reachable' | 'relay-allocated' | 'auth-failed' | 'unreachable' | 'error' | 'skipped' | 'cancelled';

/** What a check concluded, in words, with the facts behind it. */
export interface IceVerdict {
  kind: VerdictKind;
  /** Milliseconds from the check's start to the verdict. */
  atMs: number;
  title: string;
  detail: string;
  fix?: string;
  /** STUN: the address the server saw (the srflx candidate). */
  mapped?: { address: string; port: number };
  /** STUN: the server answered but the browser dropped the srflx because it equals a host candidate. */
  mappedEqualsHost?: boolean;
  /** TURN: the allocated relay address and how the browser reaches the server. */
  relay?: { address: string; port: number; protocol?: RelayProtocol };
  /** The icecandidateerror code that decided the verdict. */
  errorCode?: number;
  /**
   * A silent server's early "probably unreachable" (see {@link silentServerDeadlineMs}), shown
   * while the check waits out its budget; replaced by the confirmed verdict (or by an answer).
   */
  provisional?: boolean;
  /**
   * Decided because the budget ran out (the title names the budget, "no answer within 5 s"), so a
   * separate "after 5000 ms" would only say it again.
   */
  atBudget?: boolean;
}

/** success / failed / skipped, as the status badges show it. */
export function verdictStatus(kind: VerdictKind): Exclude<CheckStatus, 'idle' | 'running'> {
  if (kind === 'reachable' || kind === 'relay-allocated') return 'success';
  if (kind === 'skipped' || kind === 'cancelled') return 'skipped';
  return 'failed';
}

/** A candidate as a gathering saw it: the browser's line plus when, from which server, and how relayed. */
export interface ObservedCandidate {
  /** Milliseconds since the check (or gathering) started. */
  atMs: number;
  /** `RTCIceCandidate.candidate`, e.g. `candidate:1 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 …`. */
  candidate: string;
  /** `RTCIceCandidate.url`: the STUN/TURN server it came from (absent for host candidates). */
  url?: string;
  /** `RTCIceCandidate.relayProtocol` where the browser has it. */
  relayProtocol?: RelayProtocol;
}

/** Parses an observed candidate; undefined for an unparseable line (kept in the table as raw text). */
export function parseObservedCandidate(observed: ObservedCandidate): ParsedCandidate | undefined {
  try {
    return parseCandidate(observed.candidate);
  } catch {
    return undefined;
  }
}

/** How a TURN URL reaches its server: `turns:` is TLS, else `?transport=` (UDP when absent). */
function relayProtocolOfUrl(url: string | undefined): RelayProtocol | undefined {
  const match = url === undefined ? null : /^(turns?):[^?]*(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!match) return undefined;
  if ((match[1] ?? '').toLowerCase() === 'turns') return 'tls';
  return (match[2]?.toLowerCase() as RelayProtocol | undefined) ?? 'udp';
}

/**
 * The relay protocol of a relay candidate: the browser's `relayProtocol` field, else the TURN URL
 * the candidate came from, else Chromium's type-preference encoding. The URL comes before the
 * priority because Chromium 156 leaves `relayProtocol` null for UDP relays and gives them type
 * preference 3, which older encodings (2 = UDP) do not know.
 */
export function relayProtocolOf(observed: ObservedCandidate, parsed: ParsedCandidate): RelayProtocol | undefined {
  if (parsed.type !== 'relay') return undefined;
  return observed.relayProtocol ?? relayProtocolOfUrl(observed.url) ?? relayProtocolFromPriority(parsed.priority);
}

export interface VerdictInput {
  kind: IceServerKind;
  transport: IceCheckTransport;
  /** What this check's own peer connection saw (one server URL in it). */
  candidates: readonly ObservedCandidate[];
  errors: readonly ObservedIceError[];
  /** When iceGatheringState became `complete`, if it did. */
  gatheringCompleteMs?: number;
  /** Milliseconds since the check started. */
  elapsedMs: number;
  budgetMs: number;
  /** The TURN username, only to explain an expired REST credential; never stored in the verdict. */
  username?: string;
  nowMs?: number;
  /**
   * false where the browser has no `icecandidateerror` (Firefox ESR): a TURN check that ends
   * without a relay then cannot tell a refused password from an unreachable server, and says so.
   */
  reportsErrors?: boolean;
}

const TRANSPORT_LABEL: Record<IceCheckTransport, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function endpoint(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Why a check cannot run as configured (unsupported by browsers, or excluded by the relay-only policy). */
export function skipReason(target: Pick<IceCheckTarget, 'kind' | 'unsupported'>, policy: IcePolicy): string | undefined {
  if (target.unsupported) return target.unsupported;
  if (policy === 'relay' && target.kind === 'stun') {
    return 'The relay-only policy gathers relay candidates only, so a STUN server is not asked. Choose "all" to test it.';
  }
  return undefined;
}

export function skippedVerdict(reason: string, atMs = 0): IceVerdict {
  return { kind: 'skipped', atMs, title: 'Skipped', detail: reason };
}

export function cancelledVerdict(atMs: number): IceVerdict {
  return { kind: 'cancelled', atMs, title: 'Cancelled', detail: 'The test was cancelled before this check reached a verdict.' };
}

/** The browser refused the configuration itself (new RTCPeerConnection threw). */
export function configurationErrorVerdict(error: unknown, atMs = 0): IceVerdict {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'error',
    atMs,
    title: `The browser rejected this server (${name})`,
    detail: `new RTCPeerConnection() refused the configuration: ${message}`,
    fix: 'Check the URL syntax; TURN URLs need a username and a credential.',
  };
}

function errorVerdict(explained: ExplainedIceError, input: VerdictInput, atMs: number): IceVerdict {
  const { code, name } = explained;
  const facts = explained.error.errorText ? ` The browser said: "${explained.error.errorText}".` : '';
  const note = explained.note ? ` ${explained.note}` : '';
  if (code === 401 || code === 441) {
    return {
      kind: 'auth-failed',
      atMs,
      errorCode: code,
      title: `Authentication failed (${code} ${name})`,
      detail: `${explained.meaning} Likely cause: ${explained.cause}${note}`,
      fix: explained.fix,
    };
  }
  if (code === 701) {
    const stream = input.transport !== 'udp' && /establish|connect/i.test(explained.error.errorText);
    const tls = input.transport === 'tls' ? ' For turns: a certificate the browser does not trust (self-signed, or for another host name) fails the same way.' : '';
    return {
      kind: 'unreachable',
      atMs,
      errorCode: code,
      title: `Unreachable (701 over ${TRANSPORT_LABEL[input.transport]})`,
      detail: stream
        ? `The browser could not open a ${TRANSPORT_LABEL[input.transport]} connection to the server: it was refused (nothing listens on that port) or a firewall rejected it.${facts}${tls}`
        : `${explained.meaning}${facts}${tls}`,
      fix: explained.fix,
    };
  }
  return {
    kind: 'error',
    atMs,
    errorCode: code,
    title: `Server error ${code} ${name}`,
    detail: `${explained.meaning} Likely cause: ${explained.cause}${facts}${note}`,
    fix: explained.fix,
  };
}

/**
 * Decides a check's verdict from what its peer connection has reported so far. Returns
 * undefined while the answer is still open and the budget not spent; at or past the budget it
 * always decides. It never waits for gathering to complete: a srflx (STUN) or relay (TURN)
 * candidate, or a fatal error, decides at once.
 *
 * Gathering that completes with no srflx and no error means the STUN server did answer: Chromium
 * drops a srflx candidate whose address equals a host candidate's (this machine is not behind
 * NAT towards that server), while an unanswered server keeps gathering open for ~40 s.
 */
export function decideVerdict(input: VerdictInput): IceVerdict | undefined {
  const wanted = input.kind === 'stun' ? 'srflx' : 'relay';
  for (const observed of input.candidates) {
    const parsed = parseObservedCandidate(observed);
    if (!parsed || parsed.type !== wanted) continue;
    const at = observed.atMs;
    if (parsed.type === 'srflx') {
      const where = endpoint(parsed.address, parsed.port);
      const loopback = classifyAddress(parsed.address).kind === 'loopback';
      return {
        kind: 'reachable',
        atMs: at,
        mapped: { address: parsed.address, port: parsed.port },
        title: `Reachable: mapped address ${where}`,
        detail:
          `The STUN server answered over UDP: it sees this browser's traffic coming from ${where} (a srflx candidate), ` +
          'the address a peer on another network would try.' +
          (loopback ? ' The address is a loopback one because the server runs on this machine.' : ''),
      };
    }
    const protocol = relayProtocolOf(observed, parsed);
    return {
      kind: 'relay-allocated',
      atMs: at,
      relay: { address: parsed.address, port: parsed.port, ...(protocol ? { protocol } : {}) },
      title: `Relay allocated: ${endpoint(parsed.address, parsed.port)}`,
      detail:
        `The TURN server accepted the credentials over ${TRANSPORT_LABEL[input.transport]} and allocated a relay address: ` +
        'peers that cannot reach this browser directly can send to it, and the server forwards their traffic.',
    };
  }

  const explained = input.errors.map((e) => explainIceError(e, { ...(input.username !== undefined ? { username: input.username } : {}), ...(input.nowMs !== undefined ? { nowMs: input.nowMs } : {}) }));
  const fatal = explained.find((e) => e.fatal);
  if (fatal) return errorVerdict(fatal, input, fatal.error.atMs);

  const complete = input.gatheringCompleteMs;
  if (complete !== undefined) {
    const dns = explained.filter((e) => e.scope === 'dns');
    // Only DNS failures, and not only on IPv6: the name did not resolve, so nothing was sent. (A
    // failed IPv6 lookup alone is normal for a name without an AAAA record.)
    if (dns.length > 0 && dns.length === explained.length && dns.some((e) => !isIpv6Local(e.error))) {
      return {
        kind: 'unreachable',
        atMs: complete,
        errorCode: 701,
        title: 'Unreachable: the host name does not resolve',
        detail: `Every DNS lookup of the server's name failed ("${dns[0]?.error.errorText ?? ''}"), so no request was sent.`,
        fix: 'Check the spelling of the host name, or use the IP address; check this network\'s DNS works.',
      };
    }
    if (input.kind === 'stun') {
      return {
        kind: 'reachable',
        atMs: complete,
        mappedEqualsHost: true,
        title: 'Reachable: the mapped address is one of this machine\'s own',
        detail:
          'The STUN server answered (gathering finished within the budget without an error), yet the browser reported no srflx candidate. ' +
          'Browsers drop a srflx candidate that would duplicate a host candidate: the server saw one of this machine\'s own addresses, ' +
          'so there is no NAT between this machine and that server.',
        fix: 'Nothing to fix. To see the mapped address itself, open this page in a browser profile that has not granted camera access: host candidates are then mDNS names and the srflx candidate is kept.',
      };
    }
    if (input.reportsErrors === false) {
      return {
        kind: 'error',
        atMs: complete,
        title: `No relay over ${TRANSPORT_LABEL[input.transport]}, and this browser cannot tell why`,
        detail:
          'Gathering finished without a relay candidate. This browser does not report icecandidateerror, so it cannot tell a refused username or password (401) ' +
          'from a server that is not there or a port that is closed: all of them look the same here.',
        fix: 'Run the test in Chromium, which reports the error code (401, 701 …) and its explanation; or check the credentials, host, port and transport by hand.',
      };
    }
    return {
      kind: 'unreachable',
      atMs: complete,
      title: `Unreachable: no relay and no error over ${TRANSPORT_LABEL[input.transport]}`,
      detail:
        input.transport === 'udp'
          ? 'Gathering finished without a relay candidate and without an error from the server.'
          : 'Gathering finished without a relay candidate and without an error: the TCP connection to the server was refused or closed, which is what happens when nothing listens on that port.',
      fix: 'Check the host, port and transport of the URL, and that the TURN server listens for this transport.',
    };
  }

  if (input.elapsedMs < input.budgetMs) return undefined;
  const udp = input.transport === 'udp';
  return {
    kind: 'unreachable',
    atMs: input.budgetMs,
    atBudget: true,
    title: `Unreachable: no answer within ${seconds(input.budgetMs)}`,
    detail: udp
      ? 'No answer to the STUN/TURN requests over UDP: the server is down, the port is wrong, or a firewall drops UDP to it. ' +
        'Browsers keep retrying for about 40 s before they report error 701; this test stops at its budget.'
      : `No ${TRANSPORT_LABEL[input.transport]} answer: the connection is stalled (a firewall dropping packets) or the server does not answer on that port.`,
    fix: udp
      ? 'Check the host and port, that the server runs, and that UDP to it is allowed; try TURN over TCP or TLS (port 443) on networks that block UDP.'
      : 'Check the host, port and transport, and that a firewall allows the connection.',
  };
}

// ---- A silent server among answering ones ------------------------------------------------

/** A silent server is "probably unreachable" no sooner than this after its check started… */
export const SILENT_SERVER_MIN_MS = 1000;
/** …and no sooner than this many times the slowest answer any other server gave. */
export const SILENT_SERVER_FACTOR = 10;

/**
 * Whether a verdict is the server answering (a candidate, or an error response from the server),
 * as opposed to silence: the budget running out, a 701, a skipped or cancelled check.
 */
export function isServerAnswer(verdict: IceVerdict | null | undefined): boolean {
  if (!verdict || verdict.provisional) return false;
  if (verdict.kind === 'reachable' || verdict.kind === 'relay-allocated' || verdict.kind === 'auth-failed') return true;
  return verdict.kind === 'error' && verdict.errorCode !== undefined && verdict.errorCode < 700;
}

/**
 * When a still-silent check may be called "probably unreachable": max(1 s, 10 × the slowest answer
 * the other servers gave), in ms from the check's start; undefined while no other server has
 * answered (then nothing tells a slow network from a dead server, and only the budget decides).
 * Answers on loopback or a LAN come within tens of ms and over the Internet within a few hundred,
 * so a server ten times slower than every other one is very likely not answering at all; the
 * budget still confirms it, and an answer that comes late replaces the early verdict.
 */
export function silentServerDeadlineMs(answerMs: readonly number[]): number | undefined {
  if (answerMs.length === 0) return undefined;
  return Math.max(SILENT_SERVER_MIN_MS, SILENT_SERVER_FACTOR * Math.max(...answerMs));
}

/** The early verdict for a silent check, to be confirmed at the budget. */
export function probablyUnreachableVerdict(input: { transport: IceCheckTransport; atMs: number; slowestAnswerMs: number; budgetMs: number }): IceVerdict {
  return {
    kind: 'unreachable',
    provisional: true,
    atMs: input.atMs,
    title: `Probably unreachable: no answer over ${TRANSPORT_LABEL[input.transport]} after ${seconds(input.atMs)}`,
    detail:
      `The other servers answered within ${Math.round(input.slowestAnswerMs)} ms; this one has said nothing for ten times that (at least 1 s). ` +
      `The check keeps listening until the ${seconds(input.budgetMs)} budget to confirm it.`,
    fix: 'Check the host and port, that the server runs, and that a firewall lets the traffic through.',
  };
}

// ---- NAT mapping --------------------------------------------------------------------------

/** What one server showed in the gathering that used all servers together (one shared local socket). */
export interface MappingObservation {
  /** The server's endpoint, `host:port`. */
  server: string;
  /** Its own check got an answer (reachable, or a TURN server over UDP that allocated or refused). */
  answered: boolean;
  /** IP version of the server's address; undefined for a host name. */
  family?: AddressFamily;
  /** srflx candidates from this server in the shared-socket gathering. */
  mapped: { address: string; port: number; relatedAddress?: string; relatedPort?: number }[];
}

export type NatBehaviour = 'unknown' | 'no-nat' | 'endpoint-independent' | 'endpoint-dependent';
export type NatConclusion = 'direct-likely' | 'needs-turn' | 'unknown';

export interface NatMapping {
  behaviour: NatBehaviour;
  conclusion: NatConclusion;
  title: string;
  detail: string;
  servers: { server: string; answered: boolean; mapped: string[]; note?: string }[];
}

function baseKey(m: MappingObservation['mapped'][number]): string {
  const family = classifyAddress(m.address).family;
  const hidden = !m.relatedAddress || classifyAddress(m.relatedAddress).kind === 'unspecified';
  return hidden ? family : `${family}|${endpoint(m.relatedAddress ?? '', m.relatedPort ?? 0)}`;
}

/**
 * Endpoint-independent vs endpoint-dependent mapping (RFC 4787), from the addresses several
 * STUN servers saw for one local socket. A server that answered but produced no srflx in the
 * shared gathering saw a mapping the browser had already reported (it drops duplicates), so it
 * counts as "same". Needs two servers, or one server on two addresses/ports, on the same socket.
 */
export function inferNatMapping(
  observations: readonly MappingObservation[],
  options: { hostAddresses?: readonly string[]; unattributed?: MappingObservation['mapped'] } = {},
): NatMapping {
  const hosts = new Set(options.hostAddresses ?? []);
  const unattributed = options.unattributed ?? [];
  const servers = observations.map((o) => ({
    server: o.server,
    answered: o.answered,
    mapped: [...new Set(o.mapped.map((m) => endpoint(m.address, m.port)))],
    ...(o.answered && o.mapped.length === 0
      ? {
          note:
            unattributed.length > 0
              ? 'Answered. The WebRTC stack that ran this check does not say which server reported each srflx, so this server\'s mapping is among the unattributed ones.'
              : 'Answered, but gave no srflx of its own: the address it saw was already known (a host candidate or another server\'s srflx), and browsers drop duplicates.',
        }
      : !o.answered
        ? { note: 'Did not answer, so it tells nothing about the mapping.' }
        : {}),
  }));
  // Named in the detail, since no server can be credited with them.
  const unattributedNote =
    unattributed.length > 0
      ? ` Mapped addresses seen, not attributed to a server (this WebRTC stack does not say which server reported which): ${[...new Set(unattributed.map((m) => endpoint(m.address, m.port)))].join(', ')}.`
      : '';
  const answered = observations.filter((o) => o.answered);
  const unknown = (detail: string): NatMapping => ({
    behaviour: 'unknown',
    conclusion: 'unknown',
    title: 'NAT mapping: not enough data',
    detail,
    servers,
  });
  if (answered.length === 0) return unknown('No STUN server answered, so the mapping cannot be observed.');

  const allMapped = [...answered.flatMap((o) => o.mapped), ...unattributed];
  const loopbackNote = allMapped.length > 0 && allMapped.every((m) => classifyAddress(m.address).kind === 'loopback')
    ? ' The servers are on this machine (loopback), so this describes the path to them, not your Internet connection.'
    : '';
  if (allMapped.length === 0 || allMapped.every((m) => hosts.has(m.address))) {
    return {
      behaviour: 'no-nat',
      conclusion: 'direct-likely',
      title: 'No NAT: the servers see this machine\'s own address',
      detail:
        'Every STUN server that answered saw one of this machine\'s own addresses, so there is no NAT between them and you: peers can reach you directly unless a firewall filters incoming traffic.' +
        loopbackNote,
      servers,
    };
  }

  let dependent: { sameAddress: boolean } | undefined;
  let independent = false;
  const bases = new Set(allMapped.map(baseKey));
  for (const base of bases) {
    const family = base.split('|')[0];
    const distinct = new Set<string>();
    let participants = 0;
    for (const o of answered) {
      if (o.family && o.family !== family) continue;
      const here = o.mapped.filter((m) => baseKey(m) === base);
      participants += 1;
      for (const m of here) distinct.add(endpoint(m.address, m.port));
    }
    // Every answered server of this family saw this socket; which of them saw which mapping is
    // unknown, but two different mappings for one socket are endpoint-dependent all the same.
    const loose = unattributed.filter((m) => baseKey(m) === base);
    for (const m of loose) distinct.add(endpoint(m.address, m.port));
    if (distinct.size > 1) {
      const addresses = new Set([...answered.flatMap((o) => o.mapped.filter((m) => baseKey(m) === base)), ...loose].map((m) => m.address));
      dependent = { sameAddress: addresses.size === 1 };
    } else if (distinct.size === 1 && participants >= 2) {
      independent = true;
    }
  }
  if (dependent) {
    return {
      behaviour: 'endpoint-dependent',
      conclusion: 'needs-turn',
      title: 'Endpoint-dependent mapping: you need TURN',
      detail:
        (dependent.sameAddress
          ? 'The STUN servers saw the same public address with different ports for one local socket: your NAT picks a new port for every destination (a "symmetric" NAT). '
          : 'The STUN servers saw different public addresses for one local socket (several NATs, or a NAT that balances over addresses). ') +
        'A peer would have to use a mapping no STUN server can tell you, so direct connections to peers behind NAT usually fail: configure a TURN server.' +
        loopbackNote +
        unattributedNote,
      servers,
    };
  }
  if (independent) {
    return {
      behaviour: 'endpoint-independent',
      conclusion: 'direct-likely',
      title: 'Endpoint-independent mapping: direct calls likely work',
      detail:
        'Every STUN server saw the same public address and port for one local socket: your NAT keeps one mapping whatever the destination, ' +
        'so peers can reach the address STUN reports (unless a firewall filters incoming packets; keep TURN as a fallback).' +
        loopbackNote +
        unattributedNote,
      servers,
    };
  }
  return unknown(
    'Only one STUN server answered on each local socket. Add a second STUN server (or the same server on another address or port) to compare the mappings.',
  );
}

function endpointOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return iceServerEndpoint(parseIceServerUrl(url));
  } catch {
    return undefined;
  }
}

/**
 * NAT mapping from a run's shared gathering (all servers in one peer connection, so one local
 * socket per network): the srflx each server produced there, by the URL the candidate names, and
 * whether the server's own check got an answer. TURN servers over UDP answer Binding requests too,
 * so they count as STUN servers. A srflx without a URL (libwebrtc in Node names none) is kept as
 * unattributed: it still tells one mapping from several. One definition for the page and the
 * terminal check.
 */
export function natMappingOf(checks: IceReport['checks'], gathering: IceReport['gathering'], policy: IcePolicy): NatMapping {
  if (policy === 'relay') {
    return {
      behaviour: 'unknown',
      conclusion: 'unknown',
      title: 'NAT mapping: not tested with the relay-only policy',
      detail: 'The relay-only policy gathers no srflx candidates. Choose "all" to compare the mappings STUN servers see.',
      servers: [],
    };
  }
  if (!gathering || gathering.status === 'failed' || gathering.status === 'skipped') {
    return {
      behaviour: 'unknown',
      conclusion: 'unknown',
      title: 'NAT mapping: not tested',
      detail: `The gathering with all servers together did not run to the end${gathering?.note ? ` (${gathering.note})` : ''}, so there are no mappings to compare.`,
      servers: [],
    };
  }
  const byEndpoint = new Map<string, MappingObservation>();
  for (const check of checks) {
    if (check.transport !== 'udp') continue;
    const server = endpointOfUrl(check.url);
    if (!server) continue;
    const answered = isServerAnswer(check.verdict);
    const family = classifyAddress(parseIceServerUrl(check.url).host).family;
    const known = byEndpoint.get(server);
    byEndpoint.set(server, {
      server,
      answered: answered || (known?.answered ?? false),
      ...(family === 'ipv4' || family === 'ipv6' ? { family } : {}),
      mapped: [],
    });
  }
  const hostAddresses: string[] = [];
  const unattributed: MappingObservation['mapped'] = [];
  for (const observed of gathering.candidates) {
    const parsed = parseObservedCandidate(observed);
    if (!parsed) continue;
    if (parsed.type === 'host' && classifyAddress(parsed.address).kind !== 'mdns') hostAddresses.push(parsed.address);
    if (parsed.type !== 'srflx') continue;
    const mapped = {
      address: parsed.address,
      port: parsed.port,
      ...(parsed.relatedAddress !== undefined ? { relatedAddress: parsed.relatedAddress } : {}),
      ...(parsed.relatedPort !== undefined ? { relatedPort: parsed.relatedPort } : {}),
    };
    if (observed.url === undefined) unattributed.push(mapped);
    else byEndpoint.get(endpointOfUrl(observed.url) ?? '')?.mapped.push(mapped);
  }
  return inferNatMapping([...byEndpoint.values()], { hostAddresses, unattributed });
}

// ---- Findings -----------------------------------------------------------------------------

export const FINDING_IDS = [
  'not-behind-nat',
  'mdns-hosts',
  'private-relay',
  'cgnat',
  'loopback-mapping',
  'udp-blocked',
  'no-turn-works',
  // Report version 2:
  'relay-no-data',
  'credentials-expired',
  'clock-skew',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export interface IceFinding {
  id: FindingId;
  severity: 'info' | 'warning';
  title: string;
  detail: string;
}

export interface FindingsInput {
  /** Every candidate the run saw (all checks and the shared gathering). */
  candidates: readonly ObservedCandidate[];
  checks: readonly { id?: string; kind: IceServerKind; transport: IceCheckTransport; url: string; verdict: IceVerdict | null }[];
  /** The relay-only loopbacks, by check id: an allocation that relays nothing is a finding. */
  loopbacks?: readonly { checkId: string; url: string; status: CheckStatus; connectedMs?: number; error?: string }[];
}

/** A server host a person means to be reachable from the Internet: a public IP, or a DNS name other than localhost. */
function isPublicHost(host: string): boolean {
  const cls = classifyAddress(host);
  if (cls.kind === 'invalid') return !/^localhost\.?$|\.(localhost|local|lan|internal|home\.arpa)\.?$/i.test(host) && host.includes('.');
  return cls.kind === 'public';
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return parseIceServerUrl(url).host;
  } catch {
    return undefined;
  }
}

/** Plain-language findings about this network and these servers, from everything a run saw. */
export function iceFindings(input: FindingsInput): IceFinding[] {
  const parsed = input.candidates.map(parseObservedCandidate).filter((c): c is ParsedCandidate => c !== undefined);
  const hosts = parsed.filter((c) => c.type === 'host');
  const srflx = parsed.filter((c) => c.type === 'srflx');
  const findings: IceFinding[] = [];
  const hostIps = new Set(hosts.filter((c) => classifyAddress(c.address).kind !== 'mdns').map((c) => c.address));

  const sameAsHost = srflx.find((c) => hostIps.has(c.address));
  const dropped = input.checks.find((c) => c.verdict?.mappedEqualsHost);
  if (sameAsHost || dropped) {
    findings.push({
      id: 'not-behind-nat',
      severity: 'info',
      title: 'Not behind NAT',
      detail: sameAsHost
        ? `A STUN server saw ${sameAsHost.address}, which is also a host candidate: this machine's own address is reachable as it is, with no NAT in between.`
        : `${dropped?.url ?? 'A STUN server'} answered, but the browser reported no srflx candidate: the address the server saw equals a host address, and browsers drop such a duplicate. So there is no NAT between this machine and that server.`,
    });
  }

  // Each gathering reuses the same names, so count names, not candidates.
  const mdns = [...new Set(hosts.filter((c) => classifyAddress(c.address).kind === 'mdns').map((c) => c.address))];
  if (mdns.length > 0) {
    findings.push({
      id: 'mdns-hosts',
      severity: 'info',
      title: 'Local addresses hidden as mDNS names',
      detail:
        `${mdns.length === 1 ? 'The host candidates carry' : `Host candidates carry ${mdns.length} names such as`} a random name (${mdns[0]}) instead of an IP address: browsers hide this machine's local IP addresses ` +
        'from pages that have no camera or microphone permission, so a website cannot learn your LAN address. Peers on the same LAN resolve the name over ' +
        'multicast DNS; others use srflx or relay candidates. Granting this site camera access makes the browser reveal the real local addresses.',
    });
  }

  const notPublic = (c: ParsedCandidate) => ['private', 'unique-local', 'link-local', 'cgnat', 'loopback'].includes(classifyAddress(c.address).kind);
  const relays = input.candidates.flatMap((observed) => {
    const candidate = parseObservedCandidate(observed);
    return candidate?.type === 'relay' ? [{ candidate, host: hostOfUrl(observed.url) }] : [];
  });
  // A public server URL handing out a private relay is the misconfiguration; prefer reporting that one.
  const privateRelay =
    relays.find((r) => notPublic(r.candidate) && r.host !== undefined && isPublicHost(r.host)) ?? relays.find((r) => notPublic(r.candidate));
  if (privateRelay) {
    const address = privateRelay.candidate.address;
    const cls = classifyAddress(address);
    const publicServer = privateRelay.host !== undefined && isPublicHost(privateRelay.host);
    findings.push({
      id: 'private-relay',
      severity: 'warning',
      title: publicServer
        ? `Relay address ${cls.kind === 'loopback' ? 'on loopback' : 'private'} while the server is public (missing external-ip)`
        : cls.kind === 'loopback'
          ? 'Relay address on loopback'
          : 'Relay address in a private range',
      detail:
        `A TURN server allocated the relay address ${address}, which is ${cls.label}. ` +
        (publicServer
          ? `Yet its URL names ${privateRelay.host}, an address peers on the Internet reach: the server sits behind NAT (or on a host with several interfaces) ` +
            'and hands out its own interface address, which peers cannot send to. Calls that need the relay will fail. '
          : cls.kind === 'loopback'
            ? 'Only programs on the TURN server\'s own machine can send to it: fine for a local test, useless for real calls. '
            : 'Peers outside that private network cannot send to it. ') +
        'Give the TURN server its public address (coturn: external-ip=<public>/<private>, or relay-ip on a public interface).',
    });
  }

  const cgnat = srflx.find((c) => classifyAddress(c.address).kind === 'cgnat');
  if (cgnat) {
    findings.push({
      id: 'cgnat',
      severity: 'warning',
      title: 'Carrier-grade NAT',
      detail:
        `A STUN server saw ${cgnat.address}, in 100.64.0.0/10: your provider puts you behind a second, carrier-grade NAT. ` +
        'Direct calls to peers on other networks often fail through two NATs; plan for a TURN server.',
    });
  }

  const loopback = srflx.find((c) => classifyAddress(c.address).kind === 'loopback');
  if (loopback) {
    findings.push({
      id: 'loopback-mapping',
      severity: 'info',
      title: 'STUN server on this machine',
      detail: `A STUN server saw ${loopback.address} (loopback): it runs on this machine, so its answer says nothing about your NAT. Add a STUN server on the Internet to learn your public address.`,
    });
  }

  const decided = input.checks.filter((c) => c.verdict && verdictStatus(c.verdict.kind) !== 'skipped');
  const udp = decided.filter((c) => c.transport === 'udp');
  const turnOverStream = decided.filter((c) => c.kind === 'turn' && c.transport !== 'udp' && c.verdict?.kind === 'relay-allocated');
  if (udp.length > 0 && udp.every((c) => c.verdict?.kind === 'unreachable') && turnOverStream.length > 0) {
    findings.push({
      id: 'udp-blocked',
      severity: 'warning',
      title: 'UDP looks blocked',
      detail:
        'No server answered over UDP while TURN over TCP/TLS works: this network probably blocks UDP. Calls will be relayed over TCP/TLS, which works but adds delay under loss.',
    });
  }
  const silent = (input.loopbacks ?? []).find((l) => l.status === 'failed' && l.connectedMs === undefined);
  if (silent) {
    findings.push({
      id: 'relay-no-data',
      severity: 'warning',
      title: 'Relay allocated, but no data passes',
      detail:
        `${silent.url} allocated relay addresses, yet two relay-only connections through it never connected (${silent.error ?? 'no connection'}). ` +
        'The server answers on its listening port but its relay ports are closed: a firewall drops the relay port range (coturn min-port–max-port, 49152–65535 by default), ' +
        'or the relay address is one peers cannot reach. Calls that need this TURN server will fail although the allocation looks fine.',
    });
  }
  const turn = decided.filter((c) => c.kind === 'turn');
  if (turn.length > 0 && !turn.some((c) => c.verdict?.kind === 'relay-allocated')) {
    findings.push({
      id: 'no-turn-works',
      severity: 'warning',
      title: 'No TURN server works',
      detail: 'None of the TURN servers allocated a relay: calls between networks that cannot connect directly (symmetric NAT, strict firewalls) will fail. The verdicts above say why each one failed.',
    });
  }
  return findings;
}

/** Browser and server clocks further apart than this make REST credentials fail early or late. */
export const CLOCK_SKEW_LIMIT_MS = 30_000;

export interface CredentialClockInput {
  servers: readonly { url: string; username?: string }[];
  /** The page's clock (Date.now()). */
  nowMs: number;
  /** The workbench server's clock, from its HTTP `Date` header (1 s resolution). */
  serverDateMs?: number;
}

/**
 * Before a run: TURN REST usernames (`<expiry>:<user>`) that have already expired by the page's
 * clock, and a page clock far from the server's (`Date` header), which makes fresh credentials
 * look expired or expired ones look valid to one side.
 */
export function credentialClockFindings(input: CredentialClockInput): IceFinding[] {
  const findings: IceFinding[] = [];
  const skew = input.serverDateMs === undefined ? 0 : input.nowMs - input.serverDateMs;
  if (Math.abs(skew) > CLOCK_SKEW_LIMIT_MS) {
    findings.push({
      id: 'clock-skew',
      severity: 'warning',
      title: `This browser's clock is ${seconds(Math.abs(skew))} ${skew > 0 ? 'ahead of' : 'behind'} the server's`,
      detail:
        `The page reads ${new Date(input.nowMs).toISOString()}, the server's Date header said ${new Date(input.serverDateMs ?? 0).toISOString()}. ` +
        'TURN REST credentials carry their expiry time: with clocks this far apart, fresh credentials can look expired to one side, and expiry warnings here are off by as much. ' +
        "Set this computer's clock automatically (NTP), and the servers' too.",
    });
  }
  const expired = input.servers
    .filter((s) => /^turns?:/i.test(s.url.trim()))
    .map((s) => ({ url: s.url, expiry: restCredentialExpiry(s.username) }))
    .filter((s): s is { url: string; expiry: number } => s.expiry !== undefined && s.expiry <= input.nowMs);
  if (expired.length > 0) {
    const first = expired[0] as { url: string; expiry: number };
    const serverNote =
      input.serverDateMs !== undefined && first.expiry > input.serverDateMs
        ? " By the server's clock they have not expired yet: this browser's clock is ahead, so the TURN server may still accept them."
        : '';
    findings.push({
      id: 'credentials-expired',
      severity: 'warning',
      title: `TURN credentials expired ${seconds(input.nowMs - first.expiry)} ago`,
      detail:
        `The username of ${expired.map((s) => s.url).join(', ')} is a TURN REST credential (<expiry>:<user>) whose expiry, ${new Date(first.expiry).toISOString()}, has passed by this page's clock: ` +
        `the TURN server will answer 401.${serverNote} Fetch fresh credentials (press "Use the server's configuration" again).`,
    });
  }
  return findings;
}

// ---- The bottom line -----------------------------------------------------------------------

export interface IceBottomLine {
  tone: 'success' | 'warning' | 'danger' | 'neutral';
  sentence: string;
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * One sentence for the top of the results: what these servers mean for calls, from the verdicts
 * and loopbacks. A TURN check counts as working when it allocated and, if its loopback ran, the
 * loopback carried data. Undefined while a check has no final verdict yet.
 */
export function iceBottomLine(report: Pick<IceReport, 'checks' | 'loopbacks'>): IceBottomLine | undefined {
  const checks = report.checks;
  if (checks.length === 0 || checks.some((c) => c.verdict === null || c.verdict.provisional)) return undefined;
  const decided = checks.filter((c) => c.verdict && verdictStatus(c.verdict.kind) !== 'skipped');
  if (decided.length === 0) return { tone: 'neutral', sentence: 'No verdict: every check was skipped or cancelled.' };
  const loopbackOf = (id: string) => report.loopbacks.find((l) => l.checkId === id);
  const turn = decided.filter((c) => c.kind === 'turn');
  const allocated = turn.filter((c) => c.verdict?.kind === 'relay-allocated');
  const relaying = allocated.filter((c) => {
    const loop = loopbackOf(c.id);
    return loop === undefined || loop.status === 'success' || loop.status === 'skipped';
  });
  const stunWorks = decided.some((c) => c.kind === 'stun' && c.verdict?.kind === 'reachable');
  const order: IceCheckTransport[] = ['udp', 'tcp', 'tls'];
  const transports = order.filter((t) => relaying.some((c) => c.transport === t)).map((t) => TRANSPORT_LABEL[t]);

  if (relaying.length > 0) {
    const udp = relaying.some((c) => c.transport === 'udp');
    const stream = relaying.some((c) => c.transport !== 'udp');
    if (udp && stream) return { tone: 'success', sentence: `Calls between most networks will work: TURN over ${joinWords(transports)} relays data.` };
    if (udp) {
      return {
        tone: 'success',
        sentence: 'Calls between most networks will work: TURN over UDP relays data — but not from networks that block UDP, since no TURN over TCP or TLS works.',
      };
    }
    return {
      tone: 'warning',
      sentence: `Calls between most networks will work, relayed over ${joinWords(transports)} only: TURN over UDP does not work, so relayed calls suffer more under packet loss.`,
    };
  }
  if (allocated.length > 0) {
    return {
      tone: 'danger',
      sentence: 'Direct calls only: TURN allocates relays but no data passes through them — calls between different networks will often fail.',
    };
  }
  if (turn.length > 0) {
    return {
      tone: 'danger',
      sentence: stunWorks
        ? 'Direct calls only: no TURN server works — calls between different networks will often fail.'
        : 'Only calls within one network will work: no TURN server works and no STUN server answered.',
    };
  }
  return stunWorks
    ? { tone: 'warning', sentence: 'Direct calls only: STUN works but no TURN server was tested — calls between different networks will often fail.' }
    : { tone: 'danger', sentence: 'Only calls within one network will work: no STUN server answered and no TURN server was tested.' };
}

// ---- Share link -----------------------------------------------------------------------------

export interface IceShareSettings {
  /** Server URLs only: a share link never carries a username or credential. */
  urls: string[];
  budgetMs?: number;
  policy?: IcePolicy;
}

/** The query string (`?server=…&server=…&budget=5&policy=all`) that repeats a test; no credentials. */
export function iceShareQuery(settings: { servers: readonly { url: string }[]; budgetMs: number; policy: IcePolicy }): string {
  const params = new URLSearchParams();
  for (const server of settings.servers) params.append('server', server.url.trim());
  params.set('budget', String(settings.budgetMs / 1000));
  params.set('policy', settings.policy);
  return `?${params.toString()}`;
}

/**
 * Reads a share link's query. Throws WorkbenchError INVALID_ARGUMENT naming what is wrong (a URL
 * that is not STUN/TURN, a budget out of range, an unknown policy); an empty query gives `{ urls: [] }`.
 */
export function parseIceShareQuery(search: string): IceShareSettings {
  const params = new URLSearchParams(search);
  const urls = params.getAll('server').map((url) => url.trim()).filter((url) => url !== '');
  for (const url of urls) parseIceServerUrl(url);
  const settings: IceShareSettings = { urls };
  const budget = params.get('budget');
  if (budget !== null) {
    const value = Number(budget);
    if (!(value >= 0.5 && value <= 60)) throw new WorkbenchError(ErrorCode.InvalidArgument, `The link's budget "${budget}" is not a number of seconds between 0.5 and 60.`);
    settings.budgetMs = Math.round(value * 1000);
  }
  const policy = params.get('policy');
  if (policy !== null) {
    if (policy !== 'all' && policy !== 'relay') throw new WorkbenchError(ErrorCode.InvalidArgument, `The link's policy "${policy}" is neither "all" nor "relay".`);
    settings.policy = policy;
  }
  return settings;
}

// ---- Report (schema v2) -------------------------------------------------------------------

export const ICE_REPORT_SCHEMA = 'webrtc-workbench/ice-report';
/**
 * 2 added optional fields only (a verdict's `provisional` and `atBudget`) and the findings relay-no-data,
 * credentials-expired and clock-skew; version 1 reports are still read.
 */
export const ICE_REPORT_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

const ms = v.pipe(v.number(), v.finite(), v.minValue(0));
const text = (max = 4000) => v.pipe(v.string(), v.maxLength(max));
const portNumber = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
const relayProtocolSchema = v.picklist(['udp', 'tcp', 'tls']);
const transportSchema = v.picklist(['udp', 'tcp', 'tls']);
const kindSchema = v.picklist(['stun', 'turn']);
const statusSchema = v.picklist(['idle', 'running', 'success', 'failed', 'skipped']);

const observedCandidateSchema = v.object({
  atMs: ms,
  candidate: text(1000),
  url: v.optional(text(1000)),
  relayProtocol: v.optional(relayProtocolSchema),
});

const observedErrorSchema = v.object({
  atMs: ms,
  errorCode: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999)),
  errorText: text(1000),
  url: text(1000),
  address: v.nullable(text(200)),
  port: v.nullable(portNumber),
});

const verdictSchema = v.object({
  kind: v.picklist(['reachable', 'relay-allocated', 'auth-failed', 'unreachable', 'error', 'skipped', 'cancelled']),
  atMs: ms,
  title: text(),
  detail: text(),
  fix: v.optional(text()),
  mapped: v.optional(v.object({ address: text(200), port: portNumber })),
  mappedEqualsHost: v.optional(v.boolean()),
  relay: v.optional(v.object({ address: text(200), port: portNumber, protocol: v.optional(relayProtocolSchema) })),
  errorCode: v.optional(v.number()),
  provisional: v.optional(v.boolean()),
  atBudget: v.optional(v.boolean()),
});

const serverSchema = v.object({
  id: text(200),
  url: text(1000),
  source: v.picklist(['user', 'server']),
  /** Present only when the person ticked "include credentials" when exporting. */
  username: v.optional(text(1000)),
  credential: v.optional(text(1000)),
  hasCredentials: v.boolean(),
});

const checkSchema = v.object({
  id: text(1000),
  serverId: text(200),
  url: text(1000),
  serverUrl: text(1000),
  kind: kindSchema,
  transport: transportSchema,
  status: statusSchema,
  startedAtMs: ms,
  verdict: v.nullable(verdictSchema),
  candidates: v.array(observedCandidateSchema),
  errors: v.array(observedErrorSchema),
  gatheringCompleteMs: v.optional(ms),
});

const gatheringSchema = v.object({
  status: statusSchema,
  startedAtMs: ms,
  candidates: v.array(observedCandidateSchema),
  errors: v.array(observedErrorSchema),
  gatheringCompleteMs: v.optional(ms),
  note: v.optional(text()),
});

const loopbackSchema = v.object({
  checkId: text(1000),
  url: text(1000),
  status: statusSchema,
  connectedMs: v.optional(ms),
  rttMs: v.optional(ms),
  bytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  transferMs: v.optional(ms),
  throughputMbps: v.optional(ms),
  localCandidateType: v.optional(text(20)),
  remoteCandidateType: v.optional(text(20)),
  relayProtocol: v.optional(text(10)),
  error: v.optional(text()),
});

const natSchema = v.object({
  behaviour: v.picklist(['unknown', 'no-nat', 'endpoint-independent', 'endpoint-dependent']),
  conclusion: v.picklist(['direct-likely', 'needs-turn', 'unknown']),
  title: text(),
  detail: text(),
  servers: v.array(v.object({ server: text(1000), answered: v.boolean(), mapped: v.array(text(300)), note: v.optional(text()) })),
});

const findingSchema = v.object({
  id: v.picklist(FINDING_IDS),
  severity: v.picklist(['info', 'warning']),
  title: text(),
  detail: text(),
});

/** The report's schema: the one definition the exporter's type and the importer's validation share. */
export const iceReportSchema = v.object({
  schema: v.literal(ICE_REPORT_SCHEMA),
  version: v.picklist([1, 2]),
  createdAt: text(64),
  userAgent: text(1000),
  settings: v.object({
    budgetMs: ms,
    iceTransportPolicy: v.picklist(['all', 'relay']),
    includesCredentials: v.boolean(),
  }),
  durationMs: ms,
  servers: v.array(serverSchema),
  checks: v.array(checkSchema),
  gathering: v.nullable(gatheringSchema),
  loopbacks: v.array(loopbackSchema),
  natMapping: v.nullable(natSchema),
  findings: v.array(findingSchema),
});

export type IceReport = v.InferOutput<typeof iceReportSchema>;
export type IceReportServer = IceReport['servers'][number];
export type IceReportCheck = IceReport['checks'][number];
export type IceReportGathering = NonNullable<IceReport['gathering']>;
export type IceReportLoopback = IceReport['loopbacks'][number];

/** A server as the page holds it; credentials leave it only through {@link redactIceReport}'s opt-in. */
export interface IceServerEntry {
  id: string;
  url: string;
  username?: string;
  credential?: string;
  source: 'user' | 'server';
}

/** The report's server entry: credentials kept only when `includeCredentials` is true. */
export function reportServer(entry: IceServerEntry, includeCredentials: boolean): IceReportServer {
  const hasCredentials = Boolean(entry.username || entry.credential);
  return {
    id: entry.id,
    url: entry.url,
    source: entry.source,
    hasCredentials,
    ...(includeCredentials && entry.username !== undefined ? { username: entry.username } : {}),
    ...(includeCredentials && entry.credential !== undefined ? { credential: entry.credential } : {}),
  };
}

/** A copy of `report` without usernames and credentials (what every export is, unless the person opts in). */
export function redactIceReport(report: IceReport): IceReport {
  return {
    ...report,
    settings: { ...report.settings, includesCredentials: false },
    servers: report.servers.map(({ username: _u, credential: _c, ...server }) => server),
  };
}

function invalidReport(title: string, detail: string): WorkbenchError {
  return new WorkbenchError(ErrorCode.InvalidArgument, `${detail} Choose a JSON file exported by this page ("Export JSON").`, {
    explanation: { code: ErrorCode.InvalidArgument, title, detail, fix: 'Choose a JSON file exported by this page with "Export JSON".' },
  });
}

/**
 * Validates an imported report: JSON text or an already-parsed value. Throws WorkbenchError
 * INVALID_ARGUMENT whose explanation says what is wrong (not JSON, another kind of file, a
 * newer version, or which field is invalid).
 */
export function parseIceReport(input: unknown): IceReport {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      throw invalidReport('Not a JSON file', `The file is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
    }
  }
  if (typeof data !== 'object' || data === null || (data as { schema?: unknown }).schema !== ICE_REPORT_SCHEMA) {
    throw invalidReport('Not an ICE report', `The file is JSON but not an ICE server test report (its "schema" is not "${ICE_REPORT_SCHEMA}").`);
  }
  const version = (data as { version?: unknown }).version;
  if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) {
    throw invalidReport(
      'Unsupported report version',
      `The report has version ${JSON.stringify(version)}; this page reads versions ${READABLE_VERSIONS.join(' and ')}. Open it with the version of the workbench that wrote it.`,
    );
  }
  const result = v.safeParse(iceReportSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? '(top level)';
    throw invalidReport('Damaged ICE report', `The report is invalid at "${path}": ${issue.message}.`);
  }
  const ids = new Set<string>();
  for (const check of result.output.checks) {
    if (ids.has(check.id)) throw invalidReport('Damaged ICE report', `Two checks share the id "${check.id}"; every check needs its own.`);
    ids.add(check.id);
  }
  return result.output;
}

function formatMs(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)} ms`;
}

const STATUS_MARK: Record<CheckStatus, string> = { idle: '·', running: '…', success: 'OK  ', failed: 'FAIL', skipped: 'SKIP' };

/** The report as plain text, for "Copy summary": one line per check, then NAT mapping, findings, loopbacks. */
export function formatIceSummary(report: IceReport): string {
  const lines = [
    `ICE server test, ${report.createdAt} (budget ${seconds(report.settings.budgetMs)}, policy ${report.settings.iceTransportPolicy})`,
    report.userAgent,
    '',
  ];
  const bottom = iceBottomLine(report);
  if (bottom) lines.push(bottom.sentence, '');
  lines.push('Verdicts:');
  for (const check of report.checks) {
    const verdict = check.verdict;
    const time = verdict && verdictStatus(verdict.kind) !== 'skipped' ? ` in ${formatMs(verdict.atMs)}` : '';
    const which = check.id === check.url ? '' : ` (${check.id.slice(check.url.length + 1)})`;
    lines.push(`  ${STATUS_MARK[check.status]} ${check.url}${which} [${TRANSPORT_LABEL[check.transport]}]: ${verdict?.title ?? 'no verdict'}${time}`);
  }
  if (report.loopbacks.length > 0) {
    lines.push('', 'TURN end to end (relay-only loopback, 1 data channel):');
    for (const loop of report.loopbacks) {
      lines.push(
        loop.status === 'success'
          ? `  OK   ${loop.url}: connected in ${formatMs(loop.connectedMs)}, RTT ${formatMs(loop.rttMs)}, ${((loop.bytes ?? 0) / 1048576).toFixed(1)} MiB at ${(loop.throughputMbps ?? 0).toFixed(1)} Mbit/s`
          : `  ${STATUS_MARK[loop.status]} ${loop.url}: ${loop.error ?? loop.status}`,
      );
    }
  }
  if (report.natMapping) lines.push('', `NAT mapping: ${report.natMapping.title}`);
  if (report.findings.length > 0) {
    lines.push('', 'Findings:');
    for (const finding of report.findings) lines.push(`  - ${finding.title}: ${finding.detail}`);
  }
  return lines.join('\n');
}
