/**
 * Findings: plain-language conclusions from a whole run (IPv6 only, TURN without relay, clock
 * skew against TURN REST credentials …), and the one-line bottom line of a report.
 */
import { classifyAddress, type ParsedCandidate } from '../../connection/ice.js';
import { restCredentialExpiry } from './ice-errors.js';
import type { IceReport } from './report.js';
import { type IceCheckTransport, type IceServerKind, parseIceServerUrl } from './server-urls.js';
import { formatList } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import { getLocale } from '@workbench/i18n/runtime';
import { seconds, sentences, TRANSPORT_LABEL } from './format.js';
import { type CheckStatus, type IceVerdict, type ObservedCandidate, parseObservedCandidate, verdictStatus } from './verdicts.js';

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
      title: m.ice_finding_not_behind_nat(),
      detail: sameAsHost
        ? m.ice_finding_not_behind_nat_same({ address: sameAsHost.address })
        : m.ice_finding_not_behind_nat_dropped({ server: dropped?.url ?? m.ice_finding_a_stun_server() }),
    });
  }

  // Each gathering reuses the same names, so count names, not candidates.
  const mdns = [...new Set(hosts.filter((c) => classifyAddress(c.address).kind === 'mdns').map((c) => c.address))];
  if (mdns.length > 0) {
    findings.push({
      id: 'mdns-hosts',
      severity: 'info',
      title: m.ice_finding_mdns(),
      detail: sentences(
        mdns.length === 1 ? m.ice_finding_mdns_one({ name: mdns[0] ?? '' }) : m.ice_finding_mdns_many({ count: mdns.length, name: mdns[0] ?? '' }),
        m.ice_finding_mdns_detail(),
      ),
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
        ? cls.kind === 'loopback'
          ? m.ice_finding_relay_public_loopback()
          : m.ice_finding_relay_public_private()
        : cls.kind === 'loopback'
          ? m.ice_finding_relay_loopback()
          : m.ice_finding_relay_private(),
      detail: sentences(
        // cls.label (connection/ice.ts) is core's address-class wording, translated there.
        m.ice_finding_relay_detail({ address, label: cls.label }),
        publicServer
          ? m.ice_finding_relay_public_detail({ host: privateRelay.host ?? '' })
          : cls.kind === 'loopback'
            ? m.ice_finding_relay_loopback_detail()
            : m.ice_finding_relay_private_detail(),
        m.ice_finding_relay_fix(),
      ),
    });
  }

  const cgnat = srflx.find((c) => classifyAddress(c.address).kind === 'cgnat');
  if (cgnat) {
    findings.push({
      id: 'cgnat',
      severity: 'warning',
      title: m.ice_finding_cgnat(),
      detail: m.ice_finding_cgnat_detail({ address: cgnat.address }),
    });
  }

  const loopback = srflx.find((c) => classifyAddress(c.address).kind === 'loopback');
  if (loopback) {
    findings.push({
      id: 'loopback-mapping',
      severity: 'info',
      title: m.ice_finding_loopback(),
      detail: m.ice_finding_loopback_detail({ address: loopback.address }),
    });
  }

  const decided = input.checks.filter((c) => c.verdict && verdictStatus(c.verdict.kind) !== 'skipped');
  const udp = decided.filter((c) => c.transport === 'udp');
  const turnOverStream = decided.filter((c) => c.kind === 'turn' && c.transport !== 'udp' && c.verdict?.kind === 'relay-allocated');
  if (udp.length > 0 && udp.every((c) => c.verdict?.kind === 'unreachable') && turnOverStream.length > 0) {
    findings.push({
      id: 'udp-blocked',
      severity: 'warning',
      title: m.ice_finding_udp_blocked(),
      detail: m.ice_finding_udp_blocked_detail(),
    });
  }
  const silent = (input.loopbacks ?? []).find((l) => l.status === 'failed' && l.connectedMs === undefined);
  if (silent) {
    findings.push({
      id: 'relay-no-data',
      severity: 'warning',
      title: m.ice_finding_relay_no_data(),
      detail: m.ice_finding_relay_no_data_detail({ url: silent.url, error: silent.error ?? m.ice_finding_no_connection() }),
    });
  }
  const turn = decided.filter((c) => c.kind === 'turn');
  if (turn.length > 0 && !turn.some((c) => c.verdict?.kind === 'relay-allocated')) {
    findings.push({
      id: 'no-turn-works',
      severity: 'warning',
      title: m.ice_finding_no_turn(),
      detail: m.ice_finding_no_turn_detail(),
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
      title: skew > 0 ? m.ice_finding_clock_ahead({ amount: seconds(Math.abs(skew)) }) : m.ice_finding_clock_behind({ amount: seconds(Math.abs(skew)) }),
      detail: m.ice_finding_clock_detail({ page: new Date(input.nowMs).toISOString(), server: new Date(input.serverDateMs ?? 0).toISOString() }),
    });
  }
  const expired = input.servers
    .filter((s) => /^turns?:/i.test(s.url.trim()))
    .map((s) => ({ url: s.url, expiry: restCredentialExpiry(s.username) }))
    .filter((s): s is { url: string; expiry: number } => s.expiry !== undefined && s.expiry <= input.nowMs);
  if (expired.length > 0) {
    const first = expired[0] as { url: string; expiry: number };
    const serverNote = input.serverDateMs !== undefined && first.expiry > input.serverDateMs && m.ice_finding_expired_server_note();
    findings.push({
      id: 'credentials-expired',
      severity: 'warning',
      title: m.ice_finding_expired({ ago: seconds(input.nowMs - first.expiry) }),
      detail: sentences(
        m.ice_finding_expired_detail({ urls: expired.map((s) => s.url).join(', '), expiry: new Date(first.expiry).toISOString() }),
        serverNote,
        m.ice_finding_expired_fix(),
      ),
    });
  }
  return findings;
}

// ---- The bottom line -----------------------------------------------------------------------

export interface IceBottomLine {
  tone: 'success' | 'warning' | 'danger' | 'neutral';
  sentence: string;
}

/** "UDP, TCP and TLS": English as it always read (no serial comma, which Intl adds); other languages through Intl. */
function joinWords(words: readonly string[]): string {
  if (getLocale() !== 'en') return formatList(words);
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
  if (decided.length === 0) return { tone: 'neutral', sentence: m.ice_bottom_none() };
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
    if (udp && stream) return { tone: 'success', sentence: m.ice_bottom_all({ transports: joinWords(transports) }) };
    if (udp) {
      return {
        tone: 'success',
        sentence: m.ice_bottom_udp_only(),
      };
    }
    return {
      tone: 'warning',
      sentence: m.ice_bottom_stream_only({ transports: joinWords(transports) }),
    };
  }
  if (allocated.length > 0) {
    return {
      tone: 'danger',
      sentence: m.ice_bottom_no_data(),
    };
  }
  if (turn.length > 0) {
    return {
      tone: 'danger',
      sentence: stunWorks ? m.ice_bottom_no_turn_stun() : m.ice_bottom_nothing(),
    };
  }
  return stunWorks
    ? { tone: 'warning', sentence: m.ice_bottom_stun_untested_turn() }
    : { tone: 'danger', sentence: m.ice_bottom_no_stun_untested_turn() };
}
