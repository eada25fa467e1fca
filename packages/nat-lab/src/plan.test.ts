import { describe, expect, it } from 'vitest';

import { addressesOf, interfaceNames, labOwnerOf, labPrefix, MAX_INTERFACE_NAME, NAT_KINDS, natRules, PUBLIC, publicPlan, sitePlan, type Command } from './plan.js';

// The largest pid Linux hands out (pid_max is at most 2^22): the longest prefix a run can get.
const LONGEST = labPrefix(4_194_304);

/** 192.0.2/24, 198.51.100/24, 203.0.113/24 (RFC 5737) and 10/8: nothing the lab assigns could be a real public address. */
function isLabAddress(ip: string): boolean {
  return /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/.test(ip) || /^10\.\d+\.\d+\.\d+$/.test(ip);
}

function allPlans(): { pub: ReturnType<typeof publicPlan>; sites: ReturnType<typeof sitePlan>[] } {
  const pub = publicPlan(LONGEST);
  const sites = NAT_KINDS.flatMap((kind, index) => (['a', 'b'] as const).map((side) => sitePlan(LONGEST, pub.namespace, index, side, kind)));
  return { pub, sites };
}

describe('lab names', () => {
  it('carry the owning pid, which a cleanup reads back; other namespaces are not the lab\'s', () => {
    expect(labPrefix(1234)).toBe('wbnat1234');
    expect(labOwnerOf('wbnat1234-pub')).toBe(1234);
    expect(labOwnerOf('wbnat1234-s0a-host')).toBe(1234);
    expect(labOwnerOf('wbnat-pub')).toBeUndefined();
    expect(labOwnerOf('docker-ns')).toBeUndefined();
    expect(() => labPrefix(0)).toThrow(/positive integer/);
  });

  it('every interface name fits IFNAMSIZ, even with the longest pid', () => {
    const { pub, sites } = allPlans();
    const names = interfaceNames([...pub.commands, ...sites.flatMap((s) => s.commands)]);
    expect(names).toContain('br-a');
    expect(names).toContain('s2b');
    for (const name of names) expect(name.length, name).toBeLessThanOrEqual(MAX_INTERFACE_NAME);
  });

  it('bridge ports in pub are unique across scenarios and sides', () => {
    const { sites } = allPlans();
    const ports = sites.flatMap((s) => interfaceNames(s.commands)).filter((n) => /^s\d[ab]$/.test(n));
    expect(new Set(ports).size).toBe(sites.length);
  });
});

describe('topology', () => {
  it('uses only documentation ranges and 10/8, and no default route out of pub', () => {
    const { pub, sites } = allPlans();
    const commands: Command[] = [...pub.commands, ...sites.flatMap((s) => s.commands)];
    for (const ip of addressesOf(commands)) expect(isLabAddress(ip), ip).toBe(true);
    expect(pub.commands.some((c) => c.includes('route'))).toBe(false);
  });

  it('creates every veth inside lab namespaces, never in the root namespace', () => {
    const { pub, sites } = allPlans();
    const vethAdds = [...pub.commands, ...sites.flatMap((s) => s.commands)].filter((c) => c.includes('veth'));
    expect(vethAdds).toHaveLength(sites.length * 2);
    for (const command of vethAdds) {
      const netnsTargets = command.flatMap((arg, i) => (arg === 'netns' ? [command[i + 1]] : []));
      expect(netnsTargets, command.join(' ')).toHaveLength(2);
      for (const ns of netnsTargets) expect(labOwnerOf(ns ?? '')).toBe(4_194_304);
    }
  });

  it('puts site A behind 203.0.113.0/24 and site B behind 198.51.100.0/24, each host routed via its NAT', () => {
    const a = sitePlan('wbnat1', 'wbnat1-pub', 1, 'a', 'endpoint-independent');
    const b = sitePlan('wbnat1', 'wbnat1-pub', 1, 'b', 'udp-blocked');
    expect(a).toMatchObject({ outsideIp: '203.0.113.21', hostIp: '10.0.1.2', router: 'wbnat1-s1a-nat', host: 'wbnat1-s1a-host' });
    expect(b).toMatchObject({ outsideIp: '198.51.100.21', hostIp: '10.0.2.2' });
    expect(a.commands).toContainEqual(['ip', '-n', a.host, 'route', 'add', 'default', 'via', '10.0.1.1']);
    expect(a.commands).toContainEqual(['ip', '-n', a.router, 'route', 'add', 'default', 'via', PUBLIC.a.gateway]);
    expect(a.commands).toContainEqual(['ip', 'netns', 'exec', a.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // Loopback up everywhere: Chromium and coturn expect it.
    for (const ns of [a.router, a.host]) expect(a.commands).toContainEqual(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    expect(publicPlan('wbnat1').commands).toContainEqual(['ip', '-n', 'wbnat1-pub', 'link', 'set', 'lo', 'up']);
    expect(() => sitePlan('wbnat1', 'wbnat1-pub', 10, 'a', 'udp-blocked')).toThrow(/0-9/);
  });

  it('turns IPv6 off in every namespace before any interface exists (no late link-local address for Chromium to hear as a network change)', () => {
    const plans = [publicPlan('wbnat1'), sitePlan('wbnat1', 'wbnat1-pub', 0, 'a', 'endpoint-dependent'), sitePlan('wbnat1', 'wbnat1-pub', 0, 'b', 'udp-blocked')];
    for (const { commands } of plans) {
      const created = commands.filter((c) => c.join(' ').startsWith('ip netns add ')).map((c) => c[3] as string);
      expect(created.length).toBeGreaterThan(0);
      for (const ns of created) {
        const off = commands.findIndex((c) => c.join(' ') === `ip netns exec ${ns} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`);
        const firstLink = commands.findIndex((c) => c.includes('link') && c.includes('add') && c.includes(ns));
        expect(off, ns).toBeGreaterThan(0);
        if (firstLink >= 0) expect(off, `${ns}: IPv6 off before its first interface`).toBeLessThan(firstLink);
      }
    }
  });

  it('gives the servers both STUN addresses on the first segment', () => {
    const { commands } = publicPlan('wbnat1');
    expect(commands).toContainEqual(['ip', '-n', 'wbnat1-pub', 'addr', 'add', '203.0.113.10/24', 'dev', 'br-a']);
    expect(commands).toContainEqual(['ip', '-n', 'wbnat1-pub', 'addr', 'add', '203.0.113.11/24', 'dev', 'br-a']);
  });
});

describe('NAT rules', () => {
  const masquerades = (kind: Parameters<typeof natRules>[0]) => natRules(kind).filter((r) => r.includes('MASQUERADE'));

  it('endpoint-independent: plain MASQUERADE, which keeps the source port (one mapping per socket)', () => {
    expect(masquerades('endpoint-independent')).toEqual([['-t', 'nat', '-A', 'POSTROUTING', '-o', 'out', '-j', 'MASQUERADE']]);
  });

  it('endpoint-dependent: MASQUERADE --random-fully, a new port per destination', () => {
    expect(masquerades('endpoint-dependent')).toEqual([['-t', 'nat', '-A', 'POSTROUTING', '-o', 'out', '-j', 'MASQUERADE', '--random-fully']]);
  });

  it('udp-blocked: masquerades TCP and drops every forwarded UDP packet from the private side', () => {
    const rules = natRules('udp-blocked');
    expect(rules).toContainEqual(['-A', 'FORWARD', '-i', 'in', '-p', 'udp', '-j', 'DROP']);
    expect(masquerades('udp-blocked')).toHaveLength(1);
    expect(natRules('endpoint-independent').some((r) => r.includes('FORWARD'))).toBe(false);
  });

  it('every kind drops unsolicited packets to the router silently (no ICMP back to the sender)', () => {
    for (const kind of NAT_KINDS) {
      const rules = natRules(kind);
      const accept = rules.findIndex((r) => r.includes('ESTABLISHED,RELATED'));
      const drop = rules.findIndex((r) => r.join(' ') === '-A INPUT -i out -j DROP');
      expect(accept, kind).toBeGreaterThanOrEqual(0);
      expect(drop, kind).toBeGreaterThan(accept);
    }
  });

  it('sitePlan applies the kind\'s rules inside the router namespace', () => {
    const site = sitePlan('wbnat1', 'wbnat1-pub', 0, 'b', 'endpoint-dependent');
    expect(site.commands).toContainEqual(['ip', 'netns', 'exec', site.router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'out', '-j', 'MASQUERADE', '--random-fully']);
  });
});
