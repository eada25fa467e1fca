/**
 * NAT-mapping inference: from the srflx addresses different STUN servers saw for the same local
 * socket, whether the NAT maps endpoint-independently (direct calls likely) or not (needs TURN).
 */
import { type AddressFamily, classifyAddress } from '../../connection/ice.js';
import type { IceReport } from './report.js';
import { type IcePolicy, iceServerEndpoint, parseIceServerUrl } from './server-urls.js';
import { m } from '@workbench/i18n/messages';
import { endpoint, sentences } from './format.js';
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

function baseKey(x: MappingObservation['mapped'][number]): string {
  const family = classifyAddress(x.address).family;
  const hidden = !x.relatedAddress || classifyAddress(x.relatedAddress).kind === 'unspecified';
  return hidden ? family : `${family}|${endpoint(x.relatedAddress ?? '', x.relatedPort ?? 0)}`;
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
    mapped: [...new Set(o.mapped.map((x) => endpoint(x.address, x.port)))],
    ...(o.answered && o.mapped.length === 0
      ? {
          note: unattributed.length > 0 ? m.ice_nat_note_unattributed() : m.ice_nat_note_duplicate(),
        }
      : !o.answered
        ? { note: m.ice_nat_note_no_answer() }
        : {}),
  }));
  // Named in the detail, since no server can be credited with them.
  const unattributedNote =
    unattributed.length > 0 && m.ice_nat_unattributed({ addresses: [...new Set(unattributed.map((u) => endpoint(u.address, u.port)))].join(', ') });
  const answered = observations.filter((o) => o.answered);
  const unknown = (detail: string): NatMapping => ({
    behaviour: 'unknown',
    conclusion: 'unknown',
    title: m.ice_nat_unknown_title(),
    detail,
    servers,
  });
  if (answered.length === 0) return unknown(m.ice_nat_none_answered());

  const allMapped = [...answered.flatMap((o) => o.mapped), ...unattributed];
  const loopbackNote =
    allMapped.length > 0 && allMapped.every((mapped) => classifyAddress(mapped.address).kind === 'loopback') && m.ice_nat_loopback_note();
  if (allMapped.length === 0 || allMapped.every((mapped) => hosts.has(mapped.address))) {
    return {
      behaviour: 'no-nat',
      conclusion: 'direct-likely',
      title: m.ice_nat_no_nat_title(),
      detail: sentences(m.ice_nat_no_nat_detail(), loopbackNote),
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
      const here = o.mapped.filter((x) => baseKey(x) === base);
      participants += 1;
      for (const x of here) distinct.add(endpoint(x.address, x.port));
    }
    // Every answered server of this family saw this socket; which of them saw which mapping is
    // unknown, but two different mappings for one socket are endpoint-dependent all the same.
    const loose = unattributed.filter((x) => baseKey(x) === base);
    for (const x of loose) distinct.add(endpoint(x.address, x.port));
    if (distinct.size > 1) {
      const addresses = new Set([...answered.flatMap((o) => o.mapped.filter((x) => baseKey(x) === base)), ...loose].map((x) => x.address));
      dependent = { sameAddress: addresses.size === 1 };
    } else if (distinct.size === 1 && participants >= 2) {
      independent = true;
    }
  }
  if (dependent) {
    return {
      behaviour: 'endpoint-dependent',
      conclusion: 'needs-turn',
      title: m.ice_nat_dependent_title(),
      detail: sentences(
        dependent.sameAddress ? m.ice_nat_dependent_same_address() : m.ice_nat_dependent_addresses(),
        m.ice_nat_dependent_detail(),
        loopbackNote,
        unattributedNote,
      ),
      servers,
    };
  }
  if (independent) {
    return {
      behaviour: 'endpoint-independent',
      conclusion: 'direct-likely',
      title: m.ice_nat_independent_title(),
      detail: sentences(m.ice_nat_independent_detail(), loopbackNote, unattributedNote),
      servers,
    };
  }
  return unknown(m.ice_nat_one_server());
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
      title: m.ice_nat_relay_title(),
      detail: m.ice_nat_relay_detail(),
      servers: [],
    };
  }
  if (!gathering || gathering.status === 'failed' || gathering.status === 'skipped') {
    return {
      behaviour: 'unknown',
      conclusion: 'unknown',
      title: m.ice_nat_untested_title(),
      detail: gathering?.note ? m.ice_nat_untested_detail_note({ note: gathering.note }) : m.ice_nat_untested_detail(),
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
