import { describe, expect, it } from 'vitest';

import { WorkbenchError } from '../../errors.js';
import {
  ICE_ERROR_CODES,
  ICE_REPORT_SCHEMA,
  cancelledVerdict,
  decideVerdict,
  explainIceError,
  credentialClockFindings,
  formatIceSummary,
  iceBottomLine,
  iceCheckTargets,
  iceRunTargets,
  iceShareQuery,
  isServerAnswer,
  parseIceShareQuery,
  probablyUnreachableVerdict,
  silentServerDeadlineMs,
  iceFindings,
  iceServerEndpoint,
  inferNatMapping,
  loopbackTimeoutMessage,
  natMappingOf,
  parseIceReport,
  parseIceServerUrl,
  parseObservedCandidate,
  redactIceReport,
  relayProtocolOf,
  reportServer,
  restCredentialExpiry,
  skipReason,
  verdictStatus,
  type IceReport,
  type IceReportCheck,
  type IceVerdict,
  type ObservedCandidate,
  type ObservedIceError,
  type VerdictInput,
} from './index.js';

// Lines and events as Chromium 156 reported them on the test machine (see the "Observed here").
const LINES = {
  hostMdns: 'candidate:3332808903 1 udp 2113937151 c2eae51b-c32f-4ca3-b314-9de55e43d030.local 38643 typ host generation 0 ufrag OLbg network-cost 999',
  hostIp: 'candidate:313985836 1 udp 2122194687 192.0.2.2 41815 typ host generation 0 ufrag GwTi network-id 1',
  hostTcp: 'candidate:1819863476 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 ufrag GwTi network-id 1',
  srflxLoopback: 'candidate:1489727187 1 udp 1677729535 127.0.0.1 38643 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag OLbg network-cost 999',
  relayUdp: 'candidate:572175665 1 udp 50339839 127.0.0.1 57349 typ relay raddr 127.0.0.1 rport 56046 generation 0 ufrag 369y network-cost 999',
  relayTcp: 'candidate:1797656238 1 udp 16785407 127.0.0.1 57304 typ relay raddr 127.0.0.1 rport 50014 generation 0 ufrag t9EG network-cost 999',
  srflxPublic: 'candidate:1 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0',
  srflxCgnat: 'candidate:2 1 udp 1677729535 100.72.1.9 40000 typ srflx raddr 0.0.0.0 rport 0 generation 0',
  relayPrivate: 'candidate:3 1 udp 41885439 10.0.0.5 50000 typ relay raddr 203.0.113.7 rport 54321 generation 0',
};

const at = (atMs: number, candidate: string, extra: Partial<ObservedCandidate> = {}): ObservedCandidate => ({ atMs, candidate, ...extra });
const err = (atMs: number, errorCode: number, errorText: string, address: string | null = '0.0.0.x', url = 'turn:127.0.0.1:3478?transport=udp'): ObservedIceError => ({
  atMs,
  errorCode,
  errorText,
  url,
  address,
  port: address === null ? null : 51910,
});

function input(overrides: Partial<VerdictInput>): VerdictInput {
  return { kind: 'stun', transport: 'udp', candidates: [], errors: [], elapsedMs: 0, budgetMs: 5000, ...overrides };
}

describe('parseIceServerUrl', () => {
  it('reads scheme, host, default ports and transport', () => {
    expect(parseIceServerUrl(' stun:stun.l.google.com:19302 ')).toEqual({ url: 'stun:stun.l.google.com:19302', scheme: 'stun', kind: 'stun', host: 'stun.l.google.com', port: 19302 });
    expect(parseIceServerUrl('turn:turn.example.org')).toMatchObject({ kind: 'turn', port: 3478 });
    expect(parseIceServerUrl('turns:turn.example.org')).toMatchObject({ scheme: 'turns', port: 5349 });
    expect(parseIceServerUrl('turn:[2001:db8::1]:3479?transport=tcp')).toMatchObject({ host: '2001:db8::1', port: 3479, transport: 'tcp' });
  });

  it.each([
    ['turn://turn.example.org:3478', 'without "//"'],
    ['turn:user:pass@turn.example.org', 'username and password in their own fields'],
    ['http://example.org', 'without "//"'],
    ['stun:example.org:70000', 'out of range'],
    ['stun:example.org?transport=tcp', 'STUN URLs take no ?transport='],
    ['turn:example.org?transport=sctp', 'expected stun:host'],
    ['', 'expected stun:host'],
  ])('refuses %j, saying %s', (url, why) => {
    expect(() => parseIceServerUrl(url)).toThrow(WorkbenchError);
    expect(() => parseIceServerUrl(url)).toThrow(why);
  });

  it('formats the endpoint with brackets for IPv6', () => {
    expect(iceServerEndpoint(parseIceServerUrl('stun:[::1]:3478'))).toBe('[::1]:3478');
    expect(iceServerEndpoint(parseIceServerUrl('turn:127.0.0.1:9?transport=tcp'))).toBe('127.0.0.1:9');
  });
});

describe('iceCheckTargets', () => {
  it('tests a turn: URL without a transport over UDP and TCP separately', () => {
    expect(iceCheckTargets('turn:127.0.0.1:3478').map((t) => [t.transport, t.url])).toEqual([
      ['udp', 'turn:127.0.0.1:3478?transport=udp'],
      ['tcp', 'turn:127.0.0.1:3478?transport=tcp'],
    ]);
  });

  it('keeps an explicit transport, tests turns: over TLS and stun: over UDP', () => {
    expect(iceCheckTargets('turn:h:1?transport=tcp').map((t) => t.transport)).toEqual(['tcp']);
    expect(iceCheckTargets('turns:h:443')).toEqual([{ id: 'turns:h:443?transport=tcp', url: 'turns:h:443?transport=tcp', serverUrl: 'turns:h:443', kind: 'turn', transport: 'tls' }]);
    expect(iceCheckTargets('stun:h')).toMatchObject([{ url: 'stun:h:3478', transport: 'udp', kind: 'stun' }]);
  });

  it('marks what browsers cannot test, so it is skipped with a reason', () => {
    expect(iceCheckTargets('stuns:h')[0]?.unsupported).toMatch(/STUN over TLS/);
    expect(iceCheckTargets('turns:h?transport=udp')[0]?.unsupported).toMatch(/DTLS/);
    expect(skipReason({ kind: 'stun' }, 'relay')).toMatch(/relay-only/);
    expect(skipReason({ kind: 'turn' }, 'relay')).toBeUndefined();
  });
});

describe('the icecandidateerror code table', () => {
  it('has meaning, cause and fix for every code the issue lists', () => {
    for (const code of [300, 400, 401, 403, 437, 438, 441, 442, 486, 487, 500, 508, 600, 701]) {
      const info = ICE_ERROR_CODES[code];
      expect(info, `code ${code}`).toBeDefined();
      expect(info?.code).toBe(code);
      for (const field of ['name', 'meaning', 'cause', 'fix'] as const) expect(info?.[field].length, `${code}.${field}`).toBeGreaterThan(10 * Number(field !== 'name'));
    }
  });

  it('explains an unknown code by its class instead of failing', () => {
    expect(explainIceError(err(0, 499, 'Odd'))).toMatchObject({ code: 499, name: 'Request error', fatal: true });
    expect(explainIceError(err(0, 799, 'Odd')).name).toBe('Browser error');
  });

  it('marks a 701 that concerns only a local IPv6 address as not fatal', () => {
    const v6 = explainIceError(err(40_000, 701, 'STUN binding request timed out.', '[0:0:0:x:x:x:x:x]'));
    expect(v6).toMatchObject({ scope: 'ipv6', fatal: false });
    expect(v6.note).toMatch(/Not fatal/);
  });

  it('marks a DNS-lookup 701 as not fatal by itself, and a plain 701 as fatal', () => {
    expect(explainIceError(err(4, 701, 'STUN host lookup received error.'))).toMatchObject({ scope: 'dns', fatal: false });
    expect(explainIceError(err(125, 701, 'Failed to establish connection', null))).toMatchObject({ scope: 'server', fatal: true });
    expect(explainIceError(err(0, 487, 'Role conflict')).fatal).toBe(false);
  });

  it('says when a 401 comes from an expired TURN REST username', () => {
    const now = Date.UTC(2025, 0, 1, 12);
    const expired = `${now / 1000 - 90}:workbench-1`;
    expect(restCredentialExpiry(expired)).toBe(now - 90_000);
    expect(restCredentialExpiry('alice')).toBeUndefined();
    expect(explainIceError(err(73, 401, 'Unauthorized.'), { username: expired, nowMs: now }).note).toMatch(/expired at 2025-01-01T11:58:30Z \(90 s ago\)/);
    expect(explainIceError(err(73, 401, 'Unauthorized.'), { username: `${now / 1000 + 60}:u`, nowMs: now }).note).toMatch(/has not expired.*static-auth-secret/);
  });
});

describe('candidate parsing as the page uses it', () => {
  it("parses the lines Chromium reported here, including mDNS hosts and hidden related addresses", () => {
    expect(parseObservedCandidate(at(0, LINES.hostMdns))).toMatchObject({ type: 'host', address: 'c2eae51b-c32f-4ca3-b314-9de55e43d030.local', networkCost: 999 });
    expect(parseObservedCandidate(at(0, LINES.srflxLoopback))).toMatchObject({ type: 'srflx', relatedAddress: '0.0.0.0', relatedPort: 0 });
    expect(parseObservedCandidate(at(0, LINES.hostTcp))).toMatchObject({ protocol: 'tcp', tcpType: 'active', port: 9 });
    expect(parseObservedCandidate(at(0, 'garbage'))).toBeUndefined();
  });

  it("takes the relay protocol from the browser's field, else the TURN URL, else the priority", () => {
    const protocol = (observed: ObservedCandidate) => relayProtocolOf(observed, parseObservedCandidate(observed)!);
    // Chromium 156 gives UDP relays type preference 3 and relayProtocol null: only the URL tells.
    expect(protocol(at(0, LINES.relayUdp, { url: 'turn:127.0.0.1:3478?transport=udp' }))).toBe('udp');
    expect(protocol(at(0, LINES.relayUdp, { url: 'turn:127.0.0.1:3478' }))).toBe('udp');
    expect(protocol(at(0, LINES.relayTcp, { url: 'turn:127.0.0.1:3478?transport=tcp', relayProtocol: 'tcp' }))).toBe('tcp');
    expect(protocol(at(0, LINES.relayTcp, { url: 'turns:turn.example.org:443?transport=tcp' }))).toBe('tls');
    expect(protocol(at(0, LINES.relayTcp))).toBe('tcp');
    expect(protocol(at(0, 'candidate:9 1 udp 41885439 198.51.100.4 50000 typ relay raddr 0.0.0.0 rport 0'))).toBe('udp');
    expect(protocol(at(0, LINES.hostIp))).toBeUndefined();
  });
});

describe('decideVerdict', () => {
  it('STUN: a srflx candidate decides "reachable" at once, with the mapped address', () => {
    const verdict = decideVerdict(input({ candidates: [at(14, LINES.hostMdns), at(21, LINES.srflxLoopback, { url: 'stun:127.0.0.1:3478' })], elapsedMs: 22 }));
    expect(verdict).toMatchObject({ kind: 'reachable', atMs: 21, mapped: { address: '127.0.0.1', port: 38643 } });
    expect(verdict?.detail).toMatch(/loopback/);
  });

  it('keeps waiting while nothing decided and the budget is not spent', () => {
    expect(decideVerdict(input({ candidates: [at(5, LINES.hostMdns)], elapsedMs: 4999 }))).toBeUndefined();
  });

  it('STUN: gathering complete with no srflx and no error means the mapping equals a host address', () => {
    const verdict = decideVerdict(input({ candidates: [at(24, LINES.hostIp), at(139, LINES.hostTcp)], gatheringCompleteMs: 140, elapsedMs: 141 }));
    expect(verdict).toMatchObject({ kind: 'reachable', atMs: 140, mappedEqualsHost: true });
    expect(verdict?.detail).toMatch(/drop a srflx candidate that would duplicate a host candidate/);
  });

  it('unreachable at the budget when a UDP server never answers, never waiting ~40 s for gathering', () => {
    const verdict = decideVerdict(input({ candidates: [at(5, LINES.hostMdns)], elapsedMs: 5003, budgetMs: 5000 }));
    expect(verdict).toMatchObject({ kind: 'unreachable', atMs: 5000, atBudget: true, title: 'Unreachable: no answer within 5 s' });
    expect(verdictStatus(verdict!.kind)).toBe('failed');
  });

  it('TURN: a relay candidate decides "relay allocated" with address and protocol; a srflx alone does not', () => {
    const srflx = at(8, LINES.srflxLoopback, { url: 'stun:127.0.0.1:3478' });
    expect(decideVerdict(input({ kind: 'turn', candidates: [srflx], elapsedMs: 10 }))).toBeUndefined();
    const verdict = decideVerdict(input({ kind: 'turn', transport: 'tcp', candidates: [srflx, at(94, LINES.relayTcp, { url: 'turn:127.0.0.1:3478?transport=tcp' })], elapsedMs: 95 }));
    expect(verdict).toMatchObject({ kind: 'relay-allocated', atMs: 94, relay: { address: '127.0.0.1', port: 57304, protocol: 'tcp' } });
  });

  it('TURN: 401 decides "authentication failed" with the explanation and the REST expiry', () => {
    const now = Date.UTC(2025, 0, 1);
    const verdict = decideVerdict(input({ kind: 'turn', errors: [err(79, 401, 'Unauthorized.')], elapsedMs: 80, username: `${now / 1000 - 5}:x`, nowMs: now }));
    expect(verdict).toMatchObject({ kind: 'auth-failed', atMs: 79, errorCode: 401, title: 'Authentication failed (401 Unauthorized)' });
    expect(verdict?.detail).toMatch(/refused the username and password.*expired/);
    expect(verdict?.fix).toMatch(/static-auth-secret/);
  });

  it('TURN over TCP: gathering complete without relay or error is a refused connection', () => {
    const verdict = decideVerdict(input({ kind: 'turn', transport: 'tcp', candidates: [at(6, LINES.hostMdns)], gatheringCompleteMs: 134, elapsedMs: 135 }));
    expect(verdict).toMatchObject({ kind: 'unreachable', atMs: 134 });
    expect(verdict?.detail).toMatch(/refused/);
  });

  it('turns: with an untrusted certificate is unreachable by its 701, and says why', () => {
    const verdict = decideVerdict(input({ kind: 'turn', transport: 'tls', errors: [err(125, 701, 'Failed to establish connection', null)], elapsedMs: 126 }));
    expect(verdict).toMatchObject({ kind: 'unreachable', errorCode: 701, atMs: 125 });
    expect(verdict?.detail).toMatch(/could not open a TLS connection.*refused.*certificate/);
  });

  it('TURN over TCP: a refused connection reported as 701 says so', () => {
    const verdict = decideVerdict(input({ kind: 'turn', transport: 'tcp', errors: [err(3, 701, 'Failed to establish connection', null)], elapsedMs: 4 }));
    expect(verdict).toMatchObject({ kind: 'unreachable', errorCode: 701, title: 'Unreachable (701 over TCP)' });
    expect(verdict?.detail).toMatch(/could not open a TCP connection to the server: it was refused/);
  });

  it('a name that resolves for no family is unreachable once gathering completes', () => {
    const errors = [err(4, 701, 'STUN host lookup received error.'), err(5, 701, 'STUN host lookup received error.', '[0:0:0:x:x:x:x:x]')];
    expect(decideVerdict(input({ errors, elapsedMs: 6 }))).toBeUndefined();
    expect(decideVerdict(input({ errors, gatheringCompleteMs: 123, elapsedMs: 124 }))).toMatchObject({ kind: 'unreachable', title: 'Unreachable: the host name does not resolve' });
  });

  it('a failed IPv6 lookup alone (no AAAA record) does not make a server unreachable', () => {
    const errors = [err(5, 701, 'STUN host lookup received error.', '[0:0:0:x:x:x:x:x]')];
    expect(decideVerdict(input({ errors, gatheringCompleteMs: 120, elapsedMs: 121 }))).toMatchObject({ kind: 'reachable', mappedEqualsHost: true });
  });

  it('an IPv6-only 701 does not hide a srflx that arrives from IPv4', () => {
    const errors = [err(30, 701, 'STUN binding request timed out.', '[0:0:0:x:x:x:x:x]')];
    expect(decideVerdict(input({ errors, elapsedMs: 31 }))).toBeUndefined();
    expect(decideVerdict(input({ errors, candidates: [at(40, LINES.srflxPublic)], elapsedMs: 41 }))?.kind).toBe('reachable');
  });

  it('other server errors are reported with the table entry', () => {
    const verdict = decideVerdict(input({ kind: 'turn', errors: [err(60, 486, 'Allocation Quota Reached')], elapsedMs: 61 }));
    expect(verdict).toMatchObject({ kind: 'error', errorCode: 486, title: 'Server error 486 Allocation Quota Reached' });
    expect(verdict?.fix).toMatch(/quota/);
    expect(verdictStatus(cancelledVerdict(3).kind)).toBe('skipped');
  });
});

describe('inferNatMapping', () => {
  const srflx = (address: string, port: number) => ({ address, port, relatedAddress: '0.0.0.0', relatedPort: 0 });

  it('two servers, same address and port: endpoint-independent, direct calls likely work', () => {
    const result = inferNatMapping([
      { server: 'a:3478', answered: true, family: 'ipv4', mapped: [srflx('203.0.113.7', 40000)] },
      { server: 'b:3478', answered: true, family: 'ipv4', mapped: [srflx('203.0.113.7', 40000)] },
    ]);
    expect(result).toMatchObject({ behaviour: 'endpoint-independent', conclusion: 'direct-likely' });
  });

  it('counts a server that answered but added no srflx as "same mapping" (the browser drops duplicates)', () => {
    const result = inferNatMapping([
      { server: '127.0.0.1:1', answered: true, family: 'ipv4', mapped: [srflx('127.0.0.1', 58306)] },
      { server: '127.0.0.1:2', answered: true, family: 'ipv4', mapped: [] },
    ]);
    expect(result.behaviour).toBe('endpoint-independent');
    expect(result.detail).toMatch(/loopback/);
    expect(result.servers[1]?.note).toMatch(/browsers drop duplicates/);
  });

  it('same address, different ports: endpoint-dependent (symmetric NAT), you need TURN', () => {
    const result = inferNatMapping([
      { server: 'a:3478', answered: true, mapped: [srflx('203.0.113.7', 40000)] },
      { server: 'b:3478', answered: true, mapped: [srflx('203.0.113.7', 40001)] },
    ]);
    expect(result).toMatchObject({ behaviour: 'endpoint-dependent', conclusion: 'needs-turn', title: 'Endpoint-dependent mapping: you need TURN' });
    expect(result.detail).toMatch(/new port for every destination/);
  });

  it('different addresses for one socket are endpoint-dependent too', () => {
    const result = inferNatMapping([
      { server: 'a', answered: true, mapped: [srflx('203.0.113.7', 40000)] },
      { server: 'b', answered: true, mapped: [srflx('198.51.100.9', 40000)] },
    ]);
    expect(result.behaviour).toBe('endpoint-dependent');
    expect(result.detail).toMatch(/different public addresses/);
  });

  it('compares per local socket: two interfaces with their own mappings are not "dependent"', () => {
    const onA = (port: number) => ({ address: '203.0.113.7', port, relatedAddress: '192.168.1.2', relatedPort: 5000 });
    const onB = (port: number) => ({ address: '198.51.100.9', port, relatedAddress: '10.0.0.2', relatedPort: 6000 });
    const result = inferNatMapping([
      { server: 'a', answered: true, mapped: [onA(40000), onB(50000)] },
      { server: 'b', answered: true, mapped: [onA(40000), onB(50000)] },
    ]);
    expect(result.behaviour).toBe('endpoint-independent');
  });

  it('servers that saw the host address itself, or were deduplicated entirely: no NAT', () => {
    expect(inferNatMapping([{ server: 'a', answered: true, mapped: [] }, { server: 'b', answered: true, mapped: [] }]).behaviour).toBe('no-nat');
    const result = inferNatMapping([{ server: 'a', answered: true, mapped: [srflx('192.0.2.2', 41815)] }], { hostAddresses: ['192.0.2.2'] });
    expect(result).toMatchObject({ behaviour: 'no-nat', conclusion: 'direct-likely' });
  });

  it('one answering server, or none, is not enough to tell', () => {
    expect(inferNatMapping([{ server: 'a', answered: true, mapped: [srflx('203.0.113.7', 1)] }, { server: 'b', answered: false, mapped: [] }]).behaviour).toBe('unknown');
    expect(inferNatMapping([{ server: 'a', answered: false, mapped: [] }])).toMatchObject({ behaviour: 'unknown', conclusion: 'unknown' });
  });

  it('ignores servers of another IP version when comparing a socket', () => {
    const result = inferNatMapping([
      { server: '[2001:db8::1]:3478', answered: true, family: 'ipv6', mapped: [srflx('2001:db8::99', 1000)] },
      { server: '198.51.100.1:3478', answered: true, family: 'ipv4', mapped: [srflx('203.0.113.7', 1)] },
    ]);
    expect(result.behaviour).toBe('unknown');
  });
});

describe('iceFindings', () => {
  const stunCheck = { kind: 'stun' as const, transport: 'udp' as const, url: 'stun:s:3478' };
  const ids = (findings: ReturnType<typeof iceFindings>) => findings.map((f) => f.id);

  it('not behind NAT: a srflx equal to a host address, or a srflx dropped as a duplicate', () => {
    expect(ids(iceFindings({ candidates: [at(0, LINES.hostIp), at(1, LINES.srflxPublic.replace('203.0.113.7', '192.0.2.2'))], checks: [] }))).toContain('not-behind-nat');
    const dropped = decideVerdict(input({ gatheringCompleteMs: 140, elapsedMs: 140 }))!;
    const findings = iceFindings({ candidates: [at(0, LINES.hostIp)], checks: [{ ...stunCheck, verdict: dropped }] });
    expect(findings[0]).toMatchObject({ id: 'not-behind-nat', severity: 'info' });
    expect(findings[0]?.detail).toMatch(/stun:s:3478 answered/);
  });

  it('mDNS host candidates, explaining that camera permission reveals local addresses', () => {
    const [finding] = iceFindings({ candidates: [at(0, LINES.hostMdns)], checks: [] });
    expect(finding).toMatchObject({ id: 'mdns-hosts' });
    expect(finding?.detail).toMatch(/camera access makes the browser reveal the real local addresses/);
  });

  it('a relay address in a private range, carrier-grade NAT and loopback STUN', () => {
    const found = iceFindings({ candidates: [at(0, LINES.relayPrivate), at(0, LINES.srflxCgnat), at(0, LINES.srflxLoopback)], checks: [] });
    expect(ids(found)).toEqual(['private-relay', 'cgnat', 'loopback-mapping']);
    expect(found[0]?.detail).toMatch(/10\.0\.0\.5.*private \(RFC 1918\).*external-ip/);
    expect(found[1]?.detail).toMatch(/100\.64\.0\.0\/10/);
  });

  it('UDP blocked when only TURN over TCP/TLS works; no TURN works when none allocates', () => {
    const unreachable = decideVerdict(input({ elapsedMs: 5000 }))!;
    const allocated = decideVerdict(input({ kind: 'turn', transport: 'tcp', candidates: [at(1, LINES.relayTcp)], elapsedMs: 2 }))!;
    expect(ids(iceFindings({ candidates: [], checks: [
      { ...stunCheck, verdict: unreachable },
      { kind: 'turn', transport: 'udp', url: 't?transport=udp', verdict: unreachable },
      { kind: 'turn', transport: 'tcp', url: 't?transport=tcp', verdict: allocated },
    ] }))).toEqual(['udp-blocked']);
    expect(ids(iceFindings({ candidates: [], checks: [{ kind: 'turn', transport: 'udp', url: 't', verdict: unreachable }] }))).toEqual(['no-turn-works']);
  });
});

function sampleReport(): IceReport {
  const verdict = decideVerdict(input({ kind: 'turn', candidates: [at(63, LINES.relayUdp)], elapsedMs: 64 }))!;
  return {
    schema: ICE_REPORT_SCHEMA,
    version: 1,
    createdAt: '2025-01-01T12:00:00.000Z',
    userAgent: 'Chromium test',
    settings: { budgetMs: 5000, iceTransportPolicy: 'all', includesCredentials: true },
    durationMs: 1234,
    servers: [reportServer({ id: 's1', url: 'turn:127.0.0.1:3478', username: 'alice', credential: 'secret-pw', source: 'user' }, true)],
    checks: [
      {
        id: 'turn:127.0.0.1:3478?transport=udp',
        serverId: 's1',
        url: 'turn:127.0.0.1:3478?transport=udp',
        serverUrl: 'turn:127.0.0.1:3478',
        kind: 'turn',
        transport: 'udp',
        status: 'success',
        startedAtMs: 2,
        verdict,
        candidates: [at(63, LINES.relayUdp, { url: 'turn:127.0.0.1:3478?transport=udp', relayProtocol: 'udp' })],
        errors: [err(40, 701, 'STUN binding request timed out.', '[0:0:0:x:x:x:x:x]')],
      },
    ],
    gathering: { status: 'success', startedAtMs: 1, candidates: [at(5, LINES.hostMdns)], errors: [], gatheringCompleteMs: 130 },
    loopbacks: [{ checkId: 'turn:127.0.0.1:3478?transport=udp', url: 'turn:127.0.0.1:3478?transport=udp', status: 'success', connectedMs: 80, rttMs: 0.4, bytes: 1048576, transferMs: 100, throughputMbps: 83.9, localCandidateType: 'relay', remoteCandidateType: 'relay', relayProtocol: 'udp' }],
    natMapping: inferNatMapping([]),
    findings: iceFindings({ candidates: [at(5, LINES.hostMdns)], checks: [] }),
  };
}

describe('report v1', () => {
  it('round-trips through JSON text', () => {
    const report = sampleReport();
    expect(parseIceReport(JSON.stringify(report))).toEqual(report);
  });

  it('keeps credentials out unless the person opts in', () => {
    const entry = { id: 's1', url: 'turn:h', username: 'alice', credential: 'pw', source: 'user' as const };
    expect(reportServer(entry, false)).toEqual({ id: 's1', url: 'turn:h', source: 'user', hasCredentials: true });
    const redacted = redactIceReport(sampleReport());
    expect(JSON.stringify(redacted)).not.toMatch(/alice|secret-pw/);
    expect(redacted.settings.includesCredentials).toBe(false);
    expect(redacted.servers[0]?.hasCredentials).toBe(true);
  });

  it.each([
    ['text that is not JSON', '{ not json', 'Not a JSON file'],
    ['JSON of another kind', JSON.stringify({ hello: 1 }), 'Not an ICE report'],
    ['a newer version', JSON.stringify({ ...sampleReport(), version: 3 }), 'Unsupported report version'],
    ['an invalid field', JSON.stringify({ ...sampleReport(), checks: [{ ...sampleReport().checks[0], transport: 'carrier-pigeon' }] }), 'Damaged ICE report'],
  ])('refuses %s', (_label, textInput, title) => {
    try {
      parseIceReport(textInput);
      expect.unreachable('parseIceReport accepted an invalid report');
    } catch (error) {
      expect(error).toBeInstanceOf(WorkbenchError);
      expect((error as WorkbenchError).code).toBe('INVALID_ARGUMENT');
      expect((error as WorkbenchError).explanation.title).toBe(title);
    }
  });

  it('names the invalid field', () => {
    const bad = { ...sampleReport(), checks: [{ ...sampleReport().checks[0], transport: 'carrier-pigeon' }] };
    expect(() => parseIceReport(bad)).toThrow(/checks\.0\.transport/);
  });

  it('summarises checks, loopbacks, NAT mapping and findings as text', () => {
    const summary = formatIceSummary(sampleReport());
    expect(summary).toContain('OK   turn:127.0.0.1:3478?transport=udp [UDP]: Relay allocated: 127.0.0.1:57349 in 63 ms');
    expect(summary).toContain('connected in 80 ms, RTT 0 ms, 1.0 MiB at 83.9 Mbit/s');
    expect(summary).toContain('NAT mapping: NAT mapping: not enough data');
    expect(summary).toContain('Local addresses hidden as mDNS names');
    expect(summary).not.toMatch(/alice|secret-pw/);
  });
});

describe('iceRunTargets (issue 17: one URL listed twice)', () => {
  it('gives every entry × transport its own check id, whatever the URLs', () => {
    const targets = iceRunTargets([
      { id: 'config', url: 'turn:h:3478?transport=udp' },
      { id: 'wrong-pw', url: 'turn:h:3478?transport=udp' },
      { id: 'bare', url: 'turn:h:3478' },
      { id: 'stun', url: 'stun:h:3478' },
    ]);
    expect(targets.map((t) => [t.serverId, t.id])).toEqual([
      ['config', 'turn:h:3478?transport=udp'],
      ['wrong-pw', 'turn:h:3478?transport=udp#2'],
      ['bare', 'turn:h:3478?transport=udp#3'],
      ['bare', 'turn:h:3478?transport=tcp'],
      ['stun', 'stun:h:3478'],
    ]);
    expect(new Set(targets.map((t) => t.id)).size).toBe(targets.length);
    // The URL given to the browser stays the plain one.
    expect(targets[1]?.url).toBe('turn:h:3478?transport=udp');
  });

  it('keeps ids equal to iceCheckTargets when no URL repeats', () => {
    expect(iceRunTargets([{ id: 'a', url: 'turn:h:1' }]).map((t) => t.id)).toEqual(iceCheckTargets('turn:h:1').map((t) => t.id));
  });
});

describe('a silent server next to answering ones', () => {
  it('is probably unreachable after max(1 s, 10 × the slowest answer)', () => {
    expect(silentServerDeadlineMs([])).toBeUndefined();
    expect(silentServerDeadlineMs([20, 35])).toBe(1000); // 10 × 35 ms = 350 ms < 1 s
    expect(silentServerDeadlineMs([20, 240])).toBe(2400);
  });

  it('counts answers, not silence, as answers', () => {
    const relay = decideVerdict(input({ kind: 'turn', candidates: [at(60, LINES.relayUdp)], elapsedMs: 60 }))!;
    const refused = decideVerdict(input({ kind: 'turn', errors: [err(30, 401, 'Unauthorized')], elapsedMs: 30 }))!;
    const timedOut = decideVerdict(input({ elapsedMs: 5000 }))!;
    const unreachable701 = decideVerdict(input({ kind: 'turn', transport: 'tcp', errors: [err(3, 701, 'Failed to establish connection')], elapsedMs: 3 }))!;
    expect([relay, refused, timedOut, unreachable701].map(isServerAnswer)).toEqual([true, true, false, false]);
    expect(isServerAnswer(probablyUnreachableVerdict({ transport: 'udp', atMs: 1000, slowestAnswerMs: 20, budgetMs: 5000 }))).toBe(false);
  });

  it('says how long the others took and that the budget confirms it', () => {
    const verdict = probablyUnreachableVerdict({ transport: 'udp', atMs: 1000, slowestAnswerMs: 23.4, budgetMs: 5000 });
    expect(verdict).toMatchObject({ kind: 'unreachable', provisional: true, atMs: 1000, title: 'Probably unreachable: no answer over UDP after 1 s' });
    expect(verdict.detail).toMatch(/within 23 ms.*until the 5 s budget/);
  });
});

describe('decideVerdict in a browser without icecandidateerror (Firefox)', () => {
  it('does not call a TURN server unreachable when it cannot tell a refused password from a closed port', () => {
    const verdict = decideVerdict(input({ kind: 'turn', gatheringCompleteMs: 300, elapsedMs: 300, reportsErrors: false }))!;
    expect(verdict.kind).toBe('error');
    expect(verdict.title).toBe('No relay over UDP, and this browser cannot tell why');
    expect(verdict.detail).toMatch(/cannot tell a refused username or password \(401\)/);
    // Where errors are reported, the same facts mean "unreachable".
    expect(decideVerdict(input({ kind: 'turn', gatheringCompleteMs: 300, elapsedMs: 300 }))?.kind).toBe('unreachable');
  });
});

describe('misconfiguration findings (issue 17 part 4)', () => {
  const ids = (findings: { id: string }[]) => findings.map((f) => f.id);

  it('a private relay from a server whose URL is public: the missing external-ip', () => {
    const [finding] = iceFindings({ candidates: [at(0, LINES.relayPrivate, { url: 'turn:198.51.100.20:3478?transport=udp' })], checks: [] });
    expect(finding).toMatchObject({ id: 'private-relay', title: 'Relay address private while the server is public (missing external-ip)' });
    expect(finding?.detail).toMatch(/its URL names 198\.51\.100\.20.*external-ip=/);
    const [byName] = iceFindings({ candidates: [at(0, LINES.relayUdp, { url: 'turn:turn.example.org:3478?transport=udp' })], checks: [] });
    expect(byName?.title).toBe('Relay address on loopback while the server is public (missing external-ip)');
    // A server on loopback or a LAN handing out such an address is a local setup, not the misconfiguration.
    const [local] = iceFindings({ candidates: [at(0, LINES.relayUdp, { url: 'turn:127.0.0.1:3478?transport=udp' })], checks: [] });
    expect(local?.title).toBe('Relay address on loopback');
    const [lan] = iceFindings({ candidates: [at(0, LINES.relayPrivate, { url: 'turn:turn.lan:3478' })], checks: [] });
    expect(lan?.title).toBe('Relay address in a private range');
  });

  it('a relay allocated but no data passing through it', () => {
    const allocated = decideVerdict(input({ kind: 'turn', candidates: [at(60, LINES.relayUdp)], elapsedMs: 60 }))!;
    const check = { id: 't', kind: 'turn' as const, transport: 'udp' as const, url: 't', verdict: allocated };
    const failed = { checkId: 't', url: 'turn:h:3478?transport=udp', status: 'failed' as const, error: 'Connecting through the relay took longer than 10 s' };
    const found = iceFindings({ candidates: [], checks: [check], loopbacks: [failed] });
    expect(ids(found)).toEqual(['relay-no-data']);
    expect(found[0]?.detail).toMatch(/turn:h:3478\?transport=udp allocated.*took longer than 10 s.*relay port range/);
    // Connected, then failed the transfer: data did pass, so not this finding.
    expect(ids(iceFindings({ candidates: [], checks: [check], loopbacks: [{ ...failed, connectedMs: 80 }] }))).toEqual([]);
    expect(ids(iceFindings({ candidates: [], checks: [check], loopbacks: [{ ...failed, status: 'success' }] }))).toEqual([]);
  });

  const NOW = Date.parse('2026-12-04T12:00:00Z');
  const restUser = (expiryMs: number) => `${Math.floor(expiryMs / 1000)}:workbench-1a2b`;

  it('TURN REST credentials that already expired by the page clock', () => {
    const [finding] = credentialClockFindings({ servers: [{ url: 'turn:h:3478', username: restUser(NOW - 90_000) }, { url: 'stun:h' }], nowMs: NOW });
    expect(finding).toMatchObject({ id: 'credentials-expired', title: 'TURN credentials expired 90 s ago' });
    expect(finding?.detail).toMatch(/turn:h:3478.*2026-12-04T11:58:30\.000Z.*401/);
    expect(credentialClockFindings({ servers: [{ url: 'turn:h', username: restUser(NOW + 600_000) }], nowMs: NOW })).toEqual([]);
    expect(credentialClockFindings({ servers: [{ url: 'turn:h', username: 'alice' }], nowMs: NOW })).toEqual([]);
  });

  it("a browser clock far from the server's Date header", () => {
    expect(credentialClockFindings({ servers: [], nowMs: NOW, serverDateMs: NOW - 29_000 })).toEqual([]);
    const [ahead] = credentialClockFindings({ servers: [], nowMs: NOW, serverDateMs: NOW - 3_600_000 });
    expect(ahead).toMatchObject({ id: 'clock-skew', title: "This browser's clock is 3600 s ahead of the server's" });
    const [behind] = credentialClockFindings({ servers: [], nowMs: NOW, serverDateMs: NOW + 120_000 });
    expect(behind?.title).toBe("This browser's clock is 120 s behind the server's");
    // Expired by the page's clock, valid by the server's: both findings, and the expiry says which clock is off.
    const both = credentialClockFindings({ servers: [{ url: 'turn:h', username: restUser(NOW - 60_000) }], nowMs: NOW, serverDateMs: NOW - 3_600_000 });
    expect(ids(both)).toEqual(['clock-skew', 'credentials-expired']);
    expect(both[1]?.detail).toMatch(/By the server's clock they have not expired yet/);
  });
});

describe('iceBottomLine (issue 13)', () => {
  const relay = decideVerdict(input({ kind: 'turn', candidates: [at(60, LINES.relayUdp)], elapsedMs: 60 }))!;
  const reachable = decideVerdict(input({ candidates: [at(20, LINES.srflxPublic)], elapsedMs: 20 }))!;
  const dead = decideVerdict(input({ elapsedMs: 5000 }))!;
  const refused = decideVerdict(input({ kind: 'turn', errors: [err(30, 401, 'Unauthorized')], elapsedMs: 30 }))!;
  const check = (id: string, kind: 'stun' | 'turn', transport: 'udp' | 'tcp' | 'tls', verdict: IceReportCheck['verdict']): IceReportCheck => ({
    id, serverId: id, url: id, serverUrl: id, kind, transport, status: verdict ? verdictStatus(verdict.kind) : 'running', startedAtMs: 0, verdict, candidates: [], errors: [],
  });
  const ok = (id: string) => ({ checkId: id, url: id, status: 'success' as const });
  const line = (checks: IceReportCheck[], loopbacks: IceReport['loopbacks'] = []) => iceBottomLine({ checks, loopbacks });

  it.each<[string, IceReportCheck[], IceReport['loopbacks'], string, string]>([
    ['TURN relays over UDP and TCP', [check('s', 'stun', 'udp', reachable), check('u', 'turn', 'udp', relay), check('t', 'turn', 'tcp', relay)], [ok('u'), ok('t')], 'success',
      'Calls between most networks will work: TURN over UDP and TCP relays data.'],
    ['TURN over UDP only', [check('u', 'turn', 'udp', relay), check('t', 'turn', 'tcp', dead)], [ok('u')], 'success',
      'Calls between most networks will work: TURN over UDP relays data — but not from networks that block UDP, since no TURN over TCP or TLS works.'],
    ['TURN over TCP and TLS only', [check('u', 'turn', 'udp', dead), check('t', 'turn', 'tcp', relay), check('x', 'turn', 'tls', relay)], [ok('t'), ok('x')], 'warning',
      'Calls between most networks will work, relayed over TCP and TLS only: TURN over UDP does not work, so relayed calls suffer more under packet loss.'],
    ['allocated but no data', [check('u', 'turn', 'udp', relay)], [{ checkId: 'u', url: 'u', status: 'failed', error: 'timeout' }], 'danger',
      'Direct calls only: TURN allocates relays but no data passes through them — calls between different networks will often fail.'],
    ['no TURN works, STUN does', [check('s', 'stun', 'udp', reachable), check('u', 'turn', 'udp', refused)], [], 'danger',
      'Direct calls only: no TURN server works — calls between different networks will often fail.'],
    ['nothing answers', [check('s', 'stun', 'udp', dead), check('u', 'turn', 'udp', dead)], [], 'danger',
      'Only calls within one network will work: no TURN server works and no STUN server answered.'],
    ['STUN only', [check('s', 'stun', 'udp', reachable)], [], 'warning',
      'Direct calls only: STUN works but no TURN server was tested — calls between different networks will often fail.'],
    ['a dead STUN only', [check('s', 'stun', 'udp', dead)], [], 'danger',
      'Only calls within one network will work: no STUN server answered and no TURN server was tested.'],
    ['everything skipped', [check('s', 'stun', 'udp', { kind: 'skipped', atMs: 0, title: 'Skipped', detail: '' })], [], 'neutral',
      'No verdict: every check was skipped or cancelled.'],
  ])('%s', (_label, checks, loopbacks, tone, sentence) => {
    expect(line(checks, loopbacks)).toEqual({ tone, sentence });
  });

  it('waits for every final verdict (a provisional one does not count)', () => {
    expect(line([check('s', 'stun', 'udp', null)])).toBeUndefined();
    expect(line([check('s', 'stun', 'udp', probablyUnreachableVerdict({ transport: 'udp', atMs: 1000, slowestAnswerMs: 20, budgetMs: 5000 }))])).toBeUndefined();
  });
});

describe('share link', () => {
  it('carries the servers, budget and policy, never credentials, and reads back', () => {
    const query = iceShareQuery({ servers: [{ url: 'turn:h:3478?transport=udp' }, { url: ' stun:s:3478 ' }], budgetMs: 2500, policy: 'relay' });
    expect(query).toBe('?server=turn%3Ah%3A3478%3Ftransport%3Dudp&server=stun%3As%3A3478&budget=2.5&policy=relay');
    expect(parseIceShareQuery(query)).toEqual({ urls: ['turn:h:3478?transport=udp', 'stun:s:3478'], budgetMs: 2500, policy: 'relay' });
    // The function has no way to take credentials: only `url` is read from each entry.
    const withSecrets = iceShareQuery({ servers: [{ url: 'turn:h', username: 'alice', credential: 'pw' } as { url: string }], budgetMs: 5000, policy: 'all' });
    expect(withSecrets).not.toMatch(/alice|pw/);
    expect(parseIceShareQuery('')).toEqual({ urls: [] });
  });

  it.each([
    ['a URL that is not STUN/TURN', '?server=http://x', /not a STUN\/TURN URL/],
    ['a budget out of range', '?server=stun:h&budget=600', /budget "600" is not a number of seconds between 0.5 and 60/],
    ['an unknown policy', '?server=stun:h&policy=none', /policy "none" is neither "all" nor "relay"/],
  ])('refuses %s', (_label, query, message) => {
    expect(() => parseIceShareQuery(query)).toThrow(message);
  });
});

describe('report v2', () => {
  it('round-trips a report whose two checks share one URL, and still reads version 1', () => {
    const report = sampleReport();
    const first = report.checks[0]!;
    const twice: IceReport = { ...report, version: 2, checks: [first, { ...first, id: `${first.id}#2`, serverId: 's2', status: 'failed', verdict: decideVerdict(input({ kind: 'turn', errors: [err(30, 401, 'Unauthorized')], elapsedMs: 30 }))!, errors: [err(30, 401, 'Unauthorized')] }] };
    expect(parseIceReport(JSON.stringify(twice))).toEqual(twice);
    expect(parseIceReport(JSON.stringify({ ...report, version: 1 })).version).toBe(1);
    expect(formatIceSummary(twice)).toContain('turn:127.0.0.1:3478?transport=udp (2) [UDP]: Authentication failed (401 Unauthorized)');
  });

  it('refuses two checks with one id (the page keys its cards by it)', () => {
    const report = sampleReport();
    expect(() => parseIceReport({ ...report, checks: [report.checks[0], report.checks[0]] })).toThrow(/Two checks share the id "turn:127\.0\.0\.1:3478\?transport=udp"/);
  });
});

type MappingCheck = IceReport['checks'][number];
type Gathering = NonNullable<IceReport['gathering']>;

function mappingCheck(url: string, verdict: Partial<IceVerdict> & Pick<IceVerdict, 'kind'>, transport: MappingCheck['transport'] = 'udp'): MappingCheck {
  return {
    id: url,
    serverId: 's',
    url,
    serverUrl: url,
    kind: url.startsWith('turn') ? 'turn' : 'stun',
    transport,
    status: 'success',
    startedAtMs: 0,
    verdict: { atMs: 10, title: '', detail: '', ...verdict },
    candidates: [],
    errors: [],
  };
}

// As Chromium 156 reported them here: two coturns on loopback, the second one's srflx dropped as a duplicate.
function sharedGathering(candidates: { candidate: string; url?: string }[]): Gathering {
  return { status: 'success', startedAtMs: 0, candidates: candidates.map((c, i) => ({ atMs: i, ...c })), errors: [], gatheringCompleteMs: 138 };
}
const HOST = { candidate: 'candidate:1591385504 1 udp 2113937151 0c2410ed-2cc5-4c3b-8c11-1b9dbbbdc9b6.local 58306 typ host generation 0' };
const SRFLX_A = { candidate: 'candidate:3233239988 1 udp 1677729535 127.0.0.1 58306 typ srflx raddr 0.0.0.0 rport 0 generation 0', url: 'stun:127.0.0.1:45425' };

describe('natMappingOf', () => {
  it('two servers on one socket, the second deduplicated by the browser: endpoint-independent', () => {
    const result = natMappingOf(
      [mappingCheck('stun:127.0.0.1:45425', { kind: 'reachable' }), mappingCheck('stun:127.0.0.1:46000', { kind: 'reachable' })],
      sharedGathering([HOST, SRFLX_A]),
      'all',
    );
    expect(result.behaviour).toBe('endpoint-independent');
    expect(result.servers.map((s) => [s.server, s.mapped])).toEqual([
      ['127.0.0.1:45425', ['127.0.0.1:58306']],
      ['127.0.0.1:46000', []],
    ]);
  });

  it('attributes srflx that TURN servers over UDP produce (their URL is rewritten to stun:) to the same endpoint', () => {
    const result = natMappingOf(
      [
        mappingCheck('turn:127.0.0.2:44925?transport=udp', { kind: 'relay-allocated' }),
        mappingCheck('turn:127.0.0.2:44925?transport=tcp', { kind: 'relay-allocated' }, 'tcp'),
        mappingCheck('stun:127.0.0.1:45425', { kind: 'reachable' }),
      ],
      sharedGathering([HOST, SRFLX_A, { candidate: SRFLX_A.candidate.replace('58306', '58307'), url: 'stun:127.0.0.2:44925' }]),
      'all',
    );
    expect(result.servers.map((s) => s.server)).toEqual(['127.0.0.2:44925', '127.0.0.1:45425']);
    expect(result.behaviour).toBe('endpoint-dependent');
  });

  it('does not count a server that never answered, nor a 701, as an answer', () => {
    const result = natMappingOf(
      [mappingCheck('stun:127.0.0.1:45425', { kind: 'reachable' }), mappingCheck('stun:127.0.0.1:9', { kind: 'unreachable', errorCode: 701 })],
      sharedGathering([HOST, SRFLX_A]),
      'all',
    );
    expect(result.behaviour).toBe('unknown');
    expect(result.servers[1]).toMatchObject({ answered: false });
  });

  it('says why nothing is compared under the relay-only policy or without a finished gathering', () => {
    expect(natMappingOf([], null, 'relay').title).toMatch(/relay-only/);
    expect(natMappingOf([], { ...sharedGathering([]), status: 'skipped', note: 'Cancelled.' }, 'all').detail).toMatch(/Cancelled/);
  });
});

describe('natMappingOf with srflx that name no server (libwebrtc in Node)', () => {
  const reachable = (url: string) => mappingCheck(url, { kind: 'reachable' });
  // Two STUN servers seen from one socket whose base is 10.0.0.2:40000, as the terminal check's
  // shared gathering reports them: no url on any candidate.
  const srflx = (port: number) => ({ candidate: `candidate:1 1 udp 1677729535 198.51.100.7 ${port} typ srflx raddr 10.0.0.2 rport 40000 generation 0` });
  const host = { candidate: 'candidate:2 1 udp 2122260223 10.0.0.2 40000 typ host generation 0' };

  it('one mapping for the socket and two servers that answered: endpoint-independent', () => {
    const result = natMappingOf([reachable('stun:203.0.113.10:3478'), reachable('stun:203.0.113.11:3478')], sharedGathering([host, srflx(50000)]), 'all');
    expect(result.behaviour).toBe('endpoint-independent');
    expect(result.detail).toContain('not attributed to a server');
    expect(result.detail).toContain('198.51.100.7:50000');
    // Neither server is credited with a mapping it may not have produced.
    expect(result.servers.map((s) => s.mapped)).toEqual([[], []]);
    expect(result.servers[0]?.note).toMatch(/does not say which server/);
  });

  it('two mappings for one socket: endpoint-dependent, whoever produced which', () => {
    const result = natMappingOf([reachable('stun:203.0.113.10:3478'), reachable('stun:203.0.113.11:3478')], sharedGathering([host, srflx(50000), srflx(50001)]), 'all');
    expect(result.behaviour).toBe('endpoint-dependent');
    expect(result.conclusion).toBe('needs-turn');
    expect(result.detail).toContain('a new port for every destination');
  });

  it('one mapping but only one server answered: not enough data, as with named srflx', () => {
    const result = natMappingOf(
      [reachable('stun:203.0.113.10:3478'), mappingCheck('stun:203.0.113.11:3478', { kind: 'unreachable', errorCode: 701 })],
      sharedGathering([host, srflx(50000)]),
      'all',
    );
    expect(result.behaviour).toBe('unknown');
  });

  it('srflx equal to a host address: no NAT', () => {
    const same = { candidate: 'candidate:1 1 udp 1677729535 10.0.0.2 40000 typ srflx raddr 10.0.0.2 rport 40000 generation 0' };
    const result = natMappingOf([reachable('stun:203.0.113.10:3478'), reachable('stun:203.0.113.11:3478')], sharedGathering([host, same]), 'all');
    expect(result.behaviour).toBe('no-nat');
  });
});

describe('loopbackTimeoutMessage', () => {
  it('tells a relay that forwards nothing from one that stalls part-way, with how much arrived', () => {
    const none = loopbackTimeoutMessage(0, 1024 * 1024, 10_000);
    expect(none).toContain('nothing arrived within 10 s');
    expect(none).toContain('does not forward data');
    const part = loopbackTimeoutMessage(720_808, 1024 * 1024, 12_500);
    expect(part).toContain('only 704 KiB arrived within 12.5 s');
    expect(part).toContain('coturn max-bps');
    expect(part).not.toContain('does not forward');
  });
});
