/** ICE: candidate-line parsing, priority split into its three parts, and address classification. */
import { m } from '@workbench/i18n/messages';
import { ErrorCode, WorkbenchError } from '../errors.js';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type CandidateProtocol = 'udp' | 'tcp';
export type TcpType = 'active' | 'passive' | 'so';

/** One `candidate:` line (RFC 8839 §5.1) with the extensions browsers add. */
export interface ParsedCandidate {
  foundation: string;
  /** 1 = RTP, 2 = RTCP (rtcp-mux makes 2 rare today). */
  component: number;
  protocol: CandidateProtocol;
  priority: number;
  /** An IP address, or a `<uuid>.local` mDNS name that hides the host's private IP. */
  address: string;
  port: number;
  type: CandidateType;
  tcpType?: TcpType;
  /** For srflx/prflx the host address behind it, for relay the mapped one (often 0.0.0.0 when hidden). */
  relatedAddress?: string;
  relatedPort?: number;
  generation?: number;
  ufrag?: string;
  networkId?: number;
  /** Chromium's network cost: 10 wired/wifi, 50 cellular… 999 unknown. */
  networkCost?: number;
  /** Any other `key value` extension pairs, as written. */
  extensions: Record<string, string>;
}

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];
const TCP_TYPES: readonly string[] = ['active', 'passive', 'so'];

function invalid(line: string, why: string): WorkbenchError {
  return new WorkbenchError(ErrorCode.InvalidCandidate, m.core_candidate_invalid_in({ why, line: JSON.stringify(line.slice(0, 200)) }));
}

function toInteger(value: string | undefined, line: string, field: string): number {
  const n = value === undefined || !/^\d+$/.test(value) ? Number.NaN : Number(value);
  if (!Number.isSafeInteger(n)) throw invalid(line, m.core_candidate_not_integer({ field, value: String(value) }));
  return n;
}

/**
 * Parses an ICE candidate line, with or without the `candidate:` (or `a=candidate:`) prefix, as
 * found in `RTCIceCandidate.candidate` or in SDP. Throws WorkbenchError `INVALID_CANDIDATE` on
 * a malformed line. An empty string is the end-of-candidates marker, not a candidate: check for it first.
 */
export function parseCandidate(line: string): ParsedCandidate {
  const body = line.trim().replace(/^a=/, '').replace(/^candidate:/i, '');
  const tokens = body.split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length < 8) throw invalid(line, m.core_candidate_too_few_fields());
  const [foundation, component, protocol, priority, address, port, typ, type] = tokens as [
    string, string, string, string, string, string, string, string,
  ];
  if (typ !== 'typ') throw invalid(line, m.core_candidate_expected_typ({ value: typ }));
  const lowerProtocol = protocol.toLowerCase();
  if (lowerProtocol !== 'udp' && lowerProtocol !== 'tcp') throw invalid(line, m.core_candidate_unknown_transport({ value: protocol }));
  if (!CANDIDATE_TYPES.includes(type)) throw invalid(line, m.core_candidate_unknown_type({ value: type }));

  const parsed: ParsedCandidate = {
    foundation,
    component: toInteger(component, line, 'component'),
    protocol: lowerProtocol,
    priority: toInteger(priority, line, 'priority'),
    address,
    port: toInteger(port, line, 'port'),
    type: type as CandidateType,
    extensions: {},
  };
  if (parsed.port > 65535) throw invalid(line, m.core_candidate_port_range({ port: parsed.port }));

  for (let i = 8; i < tokens.length; i += 2) {
    const key = tokens[i] as string;
    const value = tokens[i + 1];
    if (value === undefined) throw invalid(line, m.core_candidate_extension_no_value({ key }));
    switch (key) {
      case 'raddr':
        parsed.relatedAddress = value;
        break;
      case 'rport':
        parsed.relatedPort = toInteger(value, line, 'rport');
        break;
      case 'tcptype':
        if (!TCP_TYPES.includes(value)) throw invalid(line, m.core_candidate_unknown_tcptype({ value }));
        parsed.tcpType = value as TcpType;
        break;
      case 'generation':
        parsed.generation = toInteger(value, line, 'generation');
        break;
      case 'ufrag':
        parsed.ufrag = value;
        break;
      case 'network-id':
        parsed.networkId = toInteger(value, line, 'network-id');
        break;
      case 'network-cost':
        parsed.networkCost = toInteger(value, line, 'network-cost');
        break;
      default:
        parsed.extensions[key] = value;
    }
  }
  return parsed;
}

/** The three parts of an ICE priority (RFC 8445 §5.1.2.1). */
export interface PriorityParts {
  /** 126 host, 110 prflx, 100 srflx, 0–2 relay in Chromium (higher is preferred). */
  typePreference: number;
  /** Orders candidates of one type, e.g. by network interface and IP family. */
  localPreference: number;
  componentId: number;
}

/**
 * priority = 2^24 × type preference + 2^8 × local preference + (256 − component id).
 * Division instead of `>>` because priorities reach 2^32 − 1 and JS shifts are signed 32-bit.
 */
export function splitPriority(priority: number): PriorityParts {
  return {
    typePreference: Math.floor(priority / 2 ** 24),
    localPreference: Math.floor(priority / 2 ** 8) % 2 ** 16,
    componentId: 256 - (priority % 2 ** 8),
  };
}

export type RelayProtocol = 'udp' | 'tcp' | 'tls';

/**
 * The protocol a relay candidate uses to reach its TURN server, which Chromium encodes in the type
 * preference: 2 = TURN over UDP, 1 = TCP, 0 = TLS. Other browsers use other numbers (Firefox
 * relays have type preference 5), so `undefined` for anything outside 0–2; prefer the stats field
 * `relayProtocol` when available.
 */
export function relayProtocolFromPriority(priority: number): RelayProtocol | undefined {
  switch (splitPriority(priority).typePreference) {
    case 2:
      return 'udp';
    case 1:
      return 'tcp';
    case 0:
      return 'tls';
    default:
      return undefined;
  }
}

export type AddressFamily = 'ipv4' | 'ipv6' | 'mdns' | 'unknown';
export type AddressKind =
  | 'mdns'
  | 'private'
  | 'cgnat'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'unspecified'
  | 'public'
  | 'invalid';

export interface AddressClass {
  family: AddressFamily;
  kind: AddressKind;
  /** A short description for a person, e.g. "private (RFC 1918)". */
  label: string;
}

/** Functions, not strings: a label is read in the page's language when an address is classified. */
const LABELS: Record<AddressKind, () => string> = {
  mdns: () => m.core_address_mdns(),
  private: () => m.core_address_private(),
  cgnat: () => m.core_address_cgnat(),
  loopback: () => m.core_address_loopback(),
  'link-local': () => m.core_address_link_local(),
  'unique-local': () => m.core_address_unique_local(),
  unspecified: () => m.core_address_unspecified(),
  public: () => m.core_address_public(),
  invalid: () => m.core_address_invalid(),
};

function parseIpv4(ip: string): [number, number, number, number] | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (octets.some((o) => !(o >= 0 && o <= 255))) return undefined;
  return octets as [number, number, number, number];
}

function classifyIpv4(octets: [number, number, number, number]): AddressKind {
  const [a, b] = octets;
  if (octets.every((o) => o === 0)) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  if (a === 169 && b === 254) return 'link-local';
  return 'public';
}

/** Eight 16-bit groups, or undefined when `ip` is not IPv6. An embedded IPv4 tail is kept aside. */
function parseIpv6(ip: string): { groups: number[]; ipv4?: [number, number, number, number] } | undefined {
  let text = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // [brackets] and %zone
  if (!text.includes(':')) return undefined;
  let ipv4: [number, number, number, number] | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (!ipv4) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((ipv4[0] << 8) | ipv4[1]).toString(16)}:${((ipv4[2] << 8) | ipv4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : Number.NaN));
    return groups.some(Number.isNaN) ? undefined : groups;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return { groups: [...head, ...new Array<number>(missing).fill(0), ...tail], ...(ipv4 ? { ipv4 } : {}) };
}

function classifyIpv6(groups: number[]): AddressKind | [number, number, number, number] {
  const g = (i: number): number => groups[i] ?? 0;
  if (groups.every((x) => x === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((x) => x === 0) && g(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d is an IPv4 address in IPv6 clothing: classify the IPv4 part.
  if (groups.slice(0, 5).every((x) => x === 0) && g(5) === 0xffff) {
    return [g(6) >> 8, g(6) & 0xff, g(7) >> 8, g(7) & 0xff];
  }
  if ((g(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((g(0) & 0xfe00) === 0xfc00) return 'unique-local';
  return 'public';
}

/**
 * What kind of address a candidate carries: an mDNS `.local` name, private (RFC 1918), CGNAT
 * (100.64/10), loopback, link-local, IPv6 unique-local, or public. Useful to explain why a host
 * candidate cannot work across networks, or why a "public" srflx address is really behind CGNAT.
 */
export function classifyAddress(ip: string): AddressClass {
  const make = (family: AddressFamily, kind: AddressKind): AddressClass => ({ family, kind, label: LABELS[kind]() });
  const address = ip.trim();
  if (/\.local\.?$/i.test(address)) return make('mdns', 'mdns');
  const v4 = parseIpv4(address);
  if (v4) return make('ipv4', classifyIpv4(v4));
  const v6 = parseIpv6(address);
  if (v6) {
    const kind = classifyIpv6(v6.groups);
    return make('ipv6', Array.isArray(kind) ? classifyIpv4(kind) : kind);
  }
  return make('unknown', 'invalid');
}
