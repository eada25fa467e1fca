/**
 * The verdict per server and transport within a time budget: reachable, relay allocated, auth
 * failed, unreachable, skipped, and a silent server among answering ones.
 */
import { classifyAddress, parseCandidate, type ParsedCandidate, type RelayProtocol, relayProtocolFromPriority } from '../../connection/ice.js';
import { type ExplainedIceError, explainIceError, isIpv6Local, type ObservedIceError } from './ice-errors.js';
import { endpoint, seconds, TRANSPORT_LABEL } from './format.js';
import type { IceCheckTarget, IceCheckTransport, IcePolicy, IceServerKind } from './server-urls.js';

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
