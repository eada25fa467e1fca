import { describe, expect, it } from 'vitest';
import { isUnreachableStunLine, repeatedLines, type LogLine } from './layout.js';

const line = (atMs: number, message: string): LogLine => ({ atMs, level: 'info', source: 'pc', message });

describe('repeatedLines: the same line again within a second is noise', () => {
  it('names a line said again within the window, not one said again later', () => {
    const lines = [line(0, 'connected'), line(400, 'connected'), line(2000, 'connected')];
    expect(repeatedLines(lines)).toEqual(['pc connected (again after 400 ms)']);
  });

  it('a line that starts a new flow (the next peer) lets its steps be said again, however soon', () => {
    const lines = [line(0, 'connected'), line(300, 'bye: x left room r'), line(900, 'connected'), line(950, 'connected')];
    const startsAnew = (l: LogLine) => l.message.startsWith('bye:');
    expect(repeatedLines(lines, 1_000, startsAnew)).toEqual(['pc connected (again after 50 ms)']);
    expect(repeatedLines(lines)).toEqual(['pc connected (again after 900 ms)', 'pc connected (again after 50 ms)']);
  });
});

describe('isUnreachableStunLine', () => {
  it('finds the 701 in its wordings, not an SDP size with 701 in it nor the list of ICE servers', () => {
    expect(isUnreachableStunLine(line(0, 'ICE server stun:stun.invalid:3478 unreachable (701 STUN host lookup received error.): harmless'))).toBe(true);
    expect(isUnreachableStunLine(line(0, 'ICE candidate error 701 for stun:example.org'))).toBe(true);
    expect(isUnreachableStunLine(line(0, 'sent offer (4701 B SDP)'))).toBe(false);
    expect(isUnreachableStunLine(line(0, 'ICE servers from /api/ice-servers: stun:stun.invalid:3478'))).toBe(false);
  });
});
