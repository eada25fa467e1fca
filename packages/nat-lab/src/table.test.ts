import { describe, expect, it } from 'vitest';

import type { ScenarioResult } from './results.js';
import { describeCall, describeDiagnostics, describePair, formatTable } from './table.js';

const symmetric: ScenarioResult = {
  id: 'symmetric',
  title: 'both behind symmetric NAT',
  nat: { a: 'endpoint-dependent', b: 'endpoint-dependent' },
  direct: { outcome: 'failed', ms: 15_640, status: { a: 'ICE failed', b: 'ICE failed' }, pairs: {}, alert: 'No network path between the peers' },
  turn: {
    outcome: 'connected',
    ms: 820,
    status: { a: 'connected', b: 'connected' },
    pairs: { a: { local: 'relay', remote: 'prflx', protocol: 'udp', relayProtocol: 'udp' }, b: { local: 'prflx', remote: 'relay', protocol: 'udp' } },
  },
  diagnostics: {
    side: 'a',
    natBehaviour: 'endpoint-dependent',
    natConclusion: 'needs-turn',
    natTitle: 'Endpoint-dependent mapping: you need TURN',
    findings: [],
    verdicts: {},
    durationMs: 6000,
  },
  probes: [],
  phasesMs: {},
  passed: true,
};

describe('table', () => {
  it('describes a pair local first, with how a relay reaches TURN', () => {
    expect(describePair({ local: 'relay', remote: 'srflx', relayProtocol: 'tcp' })).toBe('relay/tcp↔srflx');
    expect(describePair({ local: 'srflx', remote: 'prflx' })).toBe('srflx↔prflx');
  });

  it('describes each outcome with its time', () => {
    expect(describeCall(symmetric.direct)).toBe('ICE failed after 15.6 s ("No network path between the peers")');
    expect(describeCall(symmetric.turn)).toBe('connected in 0.8 s; A relay/udp↔prflx, B prflx↔relay');
    expect(describeCall({ outcome: 'timeout', ms: 45_000, status: { a: 'connecting', b: 'connecting' }, pairs: {} })).toBe('neither connected nor failed within 45.0 s');
    expect(describeCall(undefined)).toBe('not run');
  });

  it('names the UDP finding and the TCP relay for a UDP-blocked network', () => {
    const text = describeDiagnostics({
      side: 'b',
      natBehaviour: 'unknown',
      natConclusion: 'unknown',
      natTitle: 'NAT mapping: not enough data',
      findings: ['udp-blocked'],
      verdicts: { 'stun:203.0.113.10:3478': 'unreachable', 'turn:203.0.113.10:3478?transport=tcp': 'relay-allocated' },
      durationMs: 7000,
    });
    expect(text).toBe('(B) NAT mapping: not enough data; finding: UDP looks blocked; TURN over TCP: relay allocated');
  });

  it('formats a Markdown table with the issue\'s columns, a row per scenario, failures marked', () => {
    const table = formatTable({ scenarios: [symmetric, { ...symmetric, title: 'again', passed: false }] }).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^\| scenario +\| direct call \(STUN only\) +\| call with TURN +\| diagnostics verdict +\|$/);
    expect(table[1]).toMatch(/^\|-+\|-+\|-+\|-+\|$/);
    expect(table[2]).toContain('| both behind symmetric NAT ');
    expect(table[2]).toContain('(A) Endpoint-dependent mapping: you need TURN');
    expect(table[3]).toContain('again (FAILED)');
    // Every row has the same width, so it lines up in a terminal too.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });

  it('escapes a | inside a cell', () => {
    const withPipe = { ...symmetric, title: 'a | b' };
    expect(formatTable({ scenarios: [withPipe] })).toContain('a \\| b');
  });
});
