/**
 * Findings: plain-language conclusions from a whole run (IPv6 only, TURN without relay, clock
 * skew against TURN REST credentials …), and the one-line bottom line of a report.
 */
import { classifyAddress, type ParsedCandidate } from '../../connection/ice.js';
import { restCredentialExpiry } from './ice-errors.js';
import type { IceReport } from './report.js';
import { type IceCheckTransport, type IceServerKind, parseIceServerUrl } from './server-urls.js';
import { seconds, TRANSPORT_LABEL } from './format.js';
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
