/**
 * NAT-mapping inference: from the srflx addresses different STUN servers saw for the same local
 * socket, whether the NAT maps endpoint-independently (direct calls likely) or not (needs TURN).
 */
import { type AddressFamily, classifyAddress } from '../../connection/ice.js';
import type { IceReport } from './report.js';
import { type IcePolicy, iceServerEndpoint, parseIceServerUrl } from './server-urls.js';
import { endpoint } from './format.js';
import { isServerAnswer, parseObservedCandidate } from './verdicts.js';

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
