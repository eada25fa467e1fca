import type { IceReport, IceVerdict } from '@workbench/core/ice-diagnostics';
import { describe, expect, it } from 'vitest';

import { natMappingOf } from './runReport.js';

type Check = IceReport['checks'][number];
type Gathering = NonNullable<IceReport['gathering']>;

function check(url: string, verdict: Partial<IceVerdict> & Pick<IceVerdict, 'kind'>, transport: Check['transport'] = 'udp'): Check {
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
function gathering(candidates: { candidate: string; url?: string }[]): Gathering {
  return { status: 'success', startedAtMs: 0, candidates: candidates.map((c, i) => ({ atMs: i, ...c })), errors: [], gatheringCompleteMs: 138 };
}
const HOST = { candidate: 'candidate:1591385504 1 udp 2113937151 0c2410ed-2cc5-4c3b-8c11-1b9dbbbdc9b6.local 58306 typ host generation 0' };
const SRFLX_A = { candidate: 'candidate:3233239988 1 udp 1677729535 127.0.0.1 58306 typ srflx raddr 0.0.0.0 rport 0 generation 0', url: 'stun:127.0.0.1:45425' };

describe('natMappingOf', () => {
  it('two servers on one socket, the second deduplicated by the browser: endpoint-independent', () => {
    const result = natMappingOf(
      [check('stun:127.0.0.1:45425', { kind: 'reachable' }), check('stun:127.0.0.1:46000', { kind: 'reachable' })],
      gathering([HOST, SRFLX_A]),
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
        check('turn:127.0.0.2:44925?transport=udp', { kind: 'relay-allocated' }),
        check('turn:127.0.0.2:44925?transport=tcp', { kind: 'relay-allocated' }, 'tcp'),
        check('stun:127.0.0.1:45425', { kind: 'reachable' }),
      ],
      gathering([HOST, SRFLX_A, { candidate: SRFLX_A.candidate.replace('58306', '58307'), url: 'stun:127.0.0.2:44925' }]),
      'all',
    );
    expect(result.servers.map((s) => s.server)).toEqual(['127.0.0.2:44925', '127.0.0.1:45425']);
    expect(result.behaviour).toBe('endpoint-dependent');
  });

  it('does not count a server that never answered, nor a 701, as an answer', () => {
    const result = natMappingOf(
      [check('stun:127.0.0.1:45425', { kind: 'reachable' }), check('stun:127.0.0.1:9', { kind: 'unreachable', errorCode: 701 })],
      gathering([HOST, SRFLX_A]),
      'all',
    );
    expect(result.behaviour).toBe('unknown');
    expect(result.servers[1]).toMatchObject({ answered: false });
  });

  it('says why nothing is compared under the relay-only policy or without a finished gathering', () => {
    expect(natMappingOf([], null, 'relay').title).toMatch(/relay-only/);
    expect(natMappingOf([], { ...gathering([]), status: 'skipped', note: 'Cancelled.' }, 'all').detail).toMatch(/Cancelled/);
  });
});
