/**
 * The `icecandidateerror` code table (meaning, likely cause, fix) and its explanation of one
 * observed error, with the rule for non-fatal 701s and the expiry of TURN REST credentials.
 */

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
export function isIpv6Local(error: ObservedIceError): boolean {
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
