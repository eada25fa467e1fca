/**
 * The lab's topology as data: which namespaces, links, addresses, routes and firewall rules make
 * up the "Internet" and each NAT'd site. Pure, so names, addresses and rules are unit-tested
 * without root; netns.ts runs the commands.
 *
 *   site A host 10.0.1.2 ── NAT A (203.0.113.2x) ──┐            ┌─ coturn 203.0.113.10 + .11
 *                                                 ├─ "pub" ────┤   (STUN/TURN, relay .10)
 *   site B host 10.0.2.2 ── NAT B (198.51.100.2x) ─┘  routes     └─ signaling server 203.0.113.10
 *
 * Only documentation ranges (RFC 5737) and 10/8 inside namespaces this lab creates; every veth is
 * created directly inside its namespaces (`ip link add … netns …`), so nothing ever exists in the
 * root namespace and nothing is routed out of the lab.
 */

/** How a site's router translates and filters. */
export type NatKind = 'endpoint-independent' | 'endpoint-dependent' | 'udp-blocked';

export const NAT_KINDS: readonly NatKind[] = ['endpoint-independent', 'endpoint-dependent', 'udp-blocked'];

/** What each kind is, for people: the table, the README and failure messages say this. */
export const NAT_KIND_LABEL: Record<NatKind, string> = {
  'endpoint-independent': 'endpoint-independent NAT (plain MASQUERADE)',
  'endpoint-dependent': 'symmetric NAT (MASQUERADE --random-fully: a new port per destination)',
  'udp-blocked': 'NAT whose firewall drops UDP (TCP out allowed)',
};

export type Side = 'a' | 'b';

/** The "public" addresses: two ISPs' segments routed by the pub namespace, the servers on the first. */
export const PUBLIC = {
  /** Segment of site A's routers, and of the servers. */
  a: { prefix: '203.0.113', gateway: '203.0.113.1', cidrBits: 24 },
  /** Segment of site B's routers: a different "ISP", so the two NATs do not share a link. */
  b: { prefix: '198.51.100', gateway: '198.51.100.1', cidrBits: 24 },
  /** Signaling servers, coturn's first listening address and its relay address. */
  serverIp: '203.0.113.10',
  /** coturn's second listening address: a second STUN endpoint to compare mappings against. */
  secondStunIp: '203.0.113.11',
} as const;

/** Ports inside the pub namespace (its own network stack: nothing else can hold them). */
export const PORTS = {
  stunTurn: 3478,
  /** Signaling server handing out STUN only: the "direct call". */
  stunOnlyServer: 8080,
  /** Signaling server handing out STUN + TURN (UDP and TCP): the "call with TURN". */
  turnServer: 8081,
  relayMin: 49152,
  relayMax: 49251,
} as const;

/** Linux's IFNAMSIZ is 16 including the NUL. */
export const MAX_INTERFACE_NAME = 15;

/** One command, as argv: run with execFile, never through a shell. */
export type Command = readonly string[];

const NAME_PREFIX = 'wbnat';
/** `wbnat<pid>-…`: the pid of the process that owns the lab, so a cleanup can tell a crashed run's namespaces. */
const NAMESPACE_PATTERN = /^wbnat(\d+)-[a-z0-9-]+$/;

export function labPrefix(pid: number): string {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`labPrefix: a process id is a positive integer, got ${pid}`);
  return `${NAME_PREFIX}${pid}`;
}

/** The owning pid of a lab namespace name, or undefined for any other namespace. */
export function labOwnerOf(namespace: string): number | undefined {
  const match = NAMESPACE_PATTERN.exec(namespace);
  return match ? Number(match[1]) : undefined;
}

function inNs(ns: string, ...argv: string[]): Command {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/**
 * A new namespace, IPv4 only. Otherwise each interface brought up gets an IPv6 link-local address
 * that stays "tentative" for 1-2 s (duplicate address detection) and then becomes valid: Chromium
 * hears that as a network change and fails every request it has in flight with
 * net::ERR_NETWORK_CHANGED. A browser started within those seconds lost the page's own chunks and
 * showed an empty /call/. Set before any interface exists, so every one inherits it.
 */
function newNamespace(ns: string): Command[] {
  return [
    ['ip', 'netns', 'add', ns],
    inNs(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'),
  ];
}

export interface PublicPlan {
  namespace: string;
  commands: Command[];
}

/** The pub namespace: two bridges (one per "ISP" segment), the servers' addresses, forwarding between them. */
export function publicPlan(prefix: string): PublicPlan {
  const ns = `${prefix}-pub`;
  const commands: Command[] = [
    ...newNamespace(ns),
    ['ip', '-n', ns, 'link', 'set', 'lo', 'up'],
  ];
  for (const side of ['a', 'b'] as const) {
    const bridge = `br-${side}`;
    commands.push(
      ['ip', '-n', ns, 'link', 'add', 'name', bridge, 'type', 'bridge'],
      ['ip', '-n', ns, 'link', 'set', bridge, 'up'],
      ['ip', '-n', ns, 'addr', 'add', `${PUBLIC[side].gateway}/${PUBLIC[side].cidrBits}`, 'dev', bridge],
    );
  }
  commands.push(
    ['ip', '-n', ns, 'addr', 'add', `${PUBLIC.serverIp}/${PUBLIC.a.cidrBits}`, 'dev', 'br-a'],
    ['ip', '-n', ns, 'addr', 'add', `${PUBLIC.secondStunIp}/${PUBLIC.a.cidrBits}`, 'dev', 'br-a'],
    // Routes between the two segments, like the Internet between two ISPs. No default route: a
    // packet for anything else has nowhere to go.
    inNs(ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'),
  );
  return { namespace: ns, commands };
}

export interface SitePlan {
  side: Side;
  kind: NatKind;
  /** The NAT router's namespace. */
  router: string;
  /** The namespace the browser runs in. */
  host: string;
  hostIp: string;
  routerInsideIp: string;
  /** The router's address on the public segment: what STUN servers see. */
  outsideIp: string;
  commands: Command[];
}

/**
 * A site: a host behind its own NAT router, plugged into the pub namespace's segment for its side.
 * `index` numbers the scenario (0-based), so every scenario gets fresh routers (and fresh conntrack).
 */
export function sitePlan(prefix: string, pub: string, index: number, side: Side, kind: NatKind): SitePlan {
  if (!Number.isInteger(index) || index < 0 || index > 9) throw new RangeError(`sitePlan: scenario index must be 0-9, got ${index}`);
  const tag = `s${index}${side}`;
  const router = `${prefix}-${tag}-nat`;
  const host = `${prefix}-${tag}-host`;
  const net = side === 'a' ? 1 : 2;
  const hostIp = `10.0.${net}.2`;
  const routerInsideIp = `10.0.${net}.1`;
  const outsideIp = `${PUBLIC[side].prefix}.${20 + index}`;
  const commands: Command[] = [
    ...newNamespace(router),
    ...newNamespace(host),
    ['ip', '-n', router, 'link', 'set', 'lo', 'up'],
    ['ip', '-n', host, 'link', 'set', 'lo', 'up'],
    // Router ↔ pub: "out" in the router, a bridge port named after the site in pub.
    ['ip', 'link', 'add', 'name', 'out', 'netns', router, 'type', 'veth', 'peer', 'name', tag, 'netns', pub],
    ['ip', '-n', pub, 'link', 'set', tag, 'master', `br-${side}`, 'up'],
    ['ip', '-n', router, 'link', 'set', 'out', 'up'],
    ['ip', '-n', router, 'addr', 'add', `${outsideIp}/${PUBLIC[side].cidrBits}`, 'dev', 'out'],
    ['ip', '-n', router, 'route', 'add', 'default', 'via', PUBLIC[side].gateway],
    // Router ↔ host: the private network.
    ['ip', 'link', 'add', 'name', 'in', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host],
    ['ip', '-n', router, 'link', 'set', 'in', 'up'],
    ['ip', '-n', router, 'addr', 'add', `${routerInsideIp}/24`, 'dev', 'in'],
    ['ip', '-n', host, 'link', 'set', 'eth0', 'up'],
    ['ip', '-n', host, 'addr', 'add', `${hostIp}/24`, 'dev', 'eth0'],
    ['ip', '-n', host, 'route', 'add', 'default', 'via', routerInsideIp],
    inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'),
    ...natRules(kind).map((rule) => inNs(router, 'iptables', ...rule)),
  ];
  return { side, kind, router, host, hostIp, routerInsideIp, outsideIp, commands };
}

/**
 * The router's iptables rules (argv after `iptables`), all on the interfaces named in sitePlan.
 *
 * Linux MASQUERADE keeps the source port when it can, so one local socket gets one public port
 * whatever the destination: endpoint-independent mapping. `--random-fully` picks a random port
 * for every new connection (5-tuple): endpoint-dependent, "symmetric" NAT. Filtering is
 * address-and-port-dependent in both cases (conntrack lets in only replies).
 */
export function natRules(kind: NatKind): string[][] {
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'out', '-j', 'MASQUERADE'];
  const rules: string[][] = [
    kind === 'endpoint-dependent' ? [...masquerade, '--random-fully'] : masquerade,
    // Like a home router: unsolicited packets to the router itself are dropped without a word.
    // Linux would answer an ICMP port unreachable, which a real NAT does not send and which coturn
    // would report to the relay's owner.
    ['-A', 'INPUT', '-i', 'out', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-A', 'INPUT', '-i', 'out', '-j', 'DROP'],
  ];
  if (kind === 'udp-blocked') {
    // Nothing UDP leaves the private network (so no STUN, no TURN over UDP, no media over UDP); TCP does.
    rules.push(['-A', 'FORWARD', '-i', 'in', '-p', 'udp', '-j', 'DROP']);
  }
  return rules;
}

/** Every interface name a plan creates (`… link add name X … peer name Y …`), for the IFNAMSIZ check. */
export function interfaceNames(commands: readonly Command[]): string[] {
  return commands
    .filter((c) => c.includes('link') && c.includes('add'))
    .flatMap((c) => c.flatMap((arg, i) => (arg === 'name' && c[i + 1] !== undefined ? [c[i + 1] as string] : [])));
}

/** Every IPv4 address a plan assigns or routes via. */
export function addressesOf(commands: readonly Command[]): string[] {
  return commands.flatMap((c) => c.filter((arg) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(arg)).map((arg) => arg.split('/')[0] as string));
}
