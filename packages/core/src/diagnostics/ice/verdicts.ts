/**
 * The verdict per server and transport within a time budget: reachable, relay allocated, auth
 * failed, unreachable, skipped, and a silent server among answering ones.
 */
import { classifyAddress, parseCandidate, type ParsedCandidate, type RelayProtocol, relayProtocolFromPriority } from '../../connection/ice.js';
import { type ExplainedIceError, explainIceError, isIpv6Local, type ObservedIceError } from './ice-errors.js';
import { formatNumber } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import { endpoint, seconds, sentences, TRANSPORT_LABEL } from './format.js';
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
    return m.ice_skip_relay_policy();
  }
  return undefined;
}

export function skippedVerdict(reason: string, atMs = 0): IceVerdict {
  return { kind: 'skipped', atMs, title: m.ice_verdict_skipped(), detail: reason };
}

export function cancelledVerdict(atMs: number): IceVerdict {
  return { kind: 'cancelled', atMs, title: m.ice_verdict_cancelled(), detail: m.ice_verdict_cancelled_detail() };
}

/** The browser refused the configuration itself (new RTCPeerConnection threw). */
export function configurationErrorVerdict(error: unknown, atMs = 0): IceVerdict {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'error',
    atMs,
    title: m.ice_verdict_rejected_title({ name }),
    detail: m.ice_verdict_rejected_detail({ message }),
    fix: m.ice_verdict_rejected_fix(),
  };
}

function errorVerdict(explained: ExplainedIceError, input: VerdictInput, atMs: number): IceVerdict {
  const { code, name } = explained;
  const facts = explained.error.errorText ? m.ice_verdict_browser_said({ text: explained.error.errorText }) : undefined;
  const likely = m.ice_verdict_likely_cause({ meaning: explained.meaning, cause: explained.cause });
  if (code === 401 || code === 441) {
    return {
      kind: 'auth-failed',
      atMs,
      errorCode: code,
      title: m.ice_verdict_auth_failed({ code, name }),
      detail: sentences(likely, explained.note),
      fix: explained.fix,
    };
  }
  if (code === 701) {
    const stream = input.transport !== 'udp' && /establish|connect/i.test(explained.error.errorText);
    const tls = input.transport === 'tls' && m.ice_verdict_tls_note();
    return {
      kind: 'unreachable',
      atMs,
      errorCode: code,
      title: m.ice_verdict_unreachable_701({ transport: TRANSPORT_LABEL[input.transport] }),
      detail: sentences(stream ? m.ice_verdict_stream_refused({ transport: TRANSPORT_LABEL[input.transport] }) : explained.meaning, facts, tls),
      fix: explained.fix,
    };
  }
  return {
    kind: 'error',
    atMs,
    errorCode: code,
    title: m.ice_verdict_server_error({ code, name }),
    detail: sentences(likely, facts, explained.note),
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
        title: m.ice_verdict_reachable_mapped({ where }),
        detail: sentences(m.ice_verdict_reachable_detail({ where }), loopback && m.ice_verdict_reachable_loopback()),
      };
    }
    const protocol = relayProtocolOf(observed, parsed);
    return {
      kind: 'relay-allocated',
      atMs: at,
      relay: { address: parsed.address, port: parsed.port, ...(protocol ? { protocol } : {}) },
      title: m.ice_verdict_relay_allocated({ where: endpoint(parsed.address, parsed.port) }),
      detail: m.ice_verdict_relay_detail({ transport: TRANSPORT_LABEL[input.transport] }),
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
        title: m.ice_verdict_dns_title(),
        detail: m.ice_verdict_dns_detail({ text: dns[0]?.error.errorText ?? '' }),
        fix: m.ice_verdict_dns_fix(),
      };
    }
    if (input.kind === 'stun') {
      return {
        kind: 'reachable',
        atMs: complete,
        mappedEqualsHost: true,
        title: m.ice_verdict_own_address_title(),
        detail: m.ice_verdict_own_address_detail(),
        fix: m.ice_verdict_own_address_fix(),
      };
    }
    if (input.reportsErrors === false) {
      return {
        kind: 'error',
        atMs: complete,
        title: m.ice_verdict_no_errors_title({ transport: TRANSPORT_LABEL[input.transport] }),
        detail: m.ice_verdict_no_errors_detail(),
        fix: m.ice_verdict_no_errors_fix(),
      };
    }
    return {
      kind: 'unreachable',
      atMs: complete,
      title: m.ice_verdict_no_relay_title({ transport: TRANSPORT_LABEL[input.transport] }),
      detail: input.transport === 'udp' ? m.ice_verdict_no_relay_udp() : m.ice_verdict_no_relay_stream(),
      fix: m.ice_verdict_no_relay_fix(),
    };
  }

  if (input.elapsedMs < input.budgetMs) return undefined;
  const udp = input.transport === 'udp';
  return {
    kind: 'unreachable',
    atMs: input.budgetMs,
    atBudget: true,
    title: m.ice_verdict_budget_title({ budget: seconds(input.budgetMs) }),
    detail: udp ? m.ice_verdict_budget_udp() : m.ice_verdict_budget_stream({ transport: TRANSPORT_LABEL[input.transport] }),
    fix: udp ? m.ice_verdict_budget_fix_udp() : m.ice_verdict_budget_fix_stream(),
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
    title: m.ice_verdict_probably_title({ transport: TRANSPORT_LABEL[input.transport], after: seconds(input.atMs) }),
    detail: m.ice_verdict_probably_detail({ slowest: formatNumber(Math.round(input.slowestAnswerMs)), budget: seconds(input.budgetMs) }),
    fix: m.ice_verdict_probably_fix(),
  };
}
