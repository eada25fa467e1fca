import { describe, expect, it } from 'vitest';
import { describeExchange, describeJoined } from './callLog.js';
import { candidateSummary } from './iceLog.js';

describe('describeExchange', () => {
  it("uses the codelab's words for the room's notices", () => {
    expect(describeExchange({ at: 1, from: 'page', to: 'server', label: 'create or join' }, 'r1')).toEqual({ text: 'socket.emit create or join', source: 'signaling' });
    expect(describeExchange({ at: 2, from: 'server', to: 'page', label: 'ready' }, 'r1')?.text).toBe('ready: room r1 now has two members, the call starts');
    expect(describeExchange({ at: 3, from: 'page', to: 'server', label: 'bye' }, 'r1')?.text).toBe("socket.emit('bye', 'r1'): the other side gets 'bye'.");
  });

  it('says which way an offer went, and files candidates under ice', () => {
    expect(describeExchange({ at: 1, from: 'page', to: 'peer', label: 'offer', detail: '2 KB' }, 'r')?.text).toBe('sent offer (2 KB)');
    expect(describeExchange({ at: 1, from: 'peer', to: 'page', label: 'candidate', detail: 'host udp' }, 'r')).toEqual({ text: 'remote candidate: host udp', source: 'ice' });
  });

  it("leaves this page's own candidates out: they are logged as they are found", () => {
    expect(describeExchange({ at: 1, from: 'page', to: 'peer', label: 'candidate' }, 'r')).toBeUndefined();
    expect(describeExchange({ at: 1, from: 'page', to: 'peer', label: 'end-of-candidates' }, 'r')).toBeUndefined();
  });
});

describe('describeJoined', () => {
  it('tells the first in the room that its offer waits for a peer', () => {
    expect(describeJoined({ ok: true, room: 'r', role: 'created', clientId: 'a', polite: false, peers: [], capacity: 2 })).toMatch(/^created room r as a \(impolite\); nobody else yet/);
  });
});

describe('candidateSummary', () => {
  it('keeps type, protocol and address of a candidate line', () => {
    expect(candidateSummary('candidate:1 1 UDP 2122260223 192.168.1.2 54400 typ host generation 0')).toBe('host udp 192.168.1.2:54400');
  });
});
