import { describe, expect, it } from 'vitest';

import { iceCommandLine, shellQuote } from './ice-command.js';
import type { IceServerEntry } from './report.js';

const stun: IceServerEntry = { id: 'a', url: 'stun:stun.example.org:3478', source: 'user' };
const turn: IceServerEntry = { id: 'b', url: 'turn:turn.example.org:3478?transport=tcp', username: 'alice', credential: "it's secret", source: 'user' };
const other: IceServerEntry = { id: 'c', url: 'turns:turn2.example.org:443', username: 'bob', credential: 'pw', source: 'user' };
const fromApi: IceServerEntry = { id: 'd', url: 'turn:127.0.0.1:3478', username: '1700000000:w', credential: 'x', source: 'server' };

describe('iceCommandLine', () => {
  it('leaves credentials out unless asked, with placeholders a script can fill', () => {
    expect(iceCommandLine({ servers: [stun, turn], budgetMs: 5000, policy: 'all', includeCredentials: false })).toBe(
      `npx webrtc-workbench ice stun:stun.example.org:3478 'turn:turn.example.org:3478?transport=tcp' --username "$TURN_USERNAME" --credential "$TURN_CREDENTIAL"`,
    );
  });

  it('quotes credentials for the shell when they are included', () => {
    const line = iceCommandLine({ servers: [turn], budgetMs: 5000, policy: 'all', includeCredentials: true });
    // 'it'\''s secret' is how a POSIX shell spells it's secret inside single quotes.
    expect(line).toBe("npx webrtc-workbench ice 'turn:turn.example.org:3478?transport=tcp' --username alice --credential 'it'\\''s secret'");
  });

  it('writes one line per credential pair, with the budget and policy on each', () => {
    const lines = iceCommandLine({ servers: [stun, turn, other], budgetMs: 2500, policy: 'relay', includeCredentials: true }).split('\n');
    expect(lines).toEqual([
      "npx webrtc-workbench ice stun:stun.example.org:3478 'turn:turn.example.org:3478?transport=tcp' --username alice --credential 'it'\\''s secret' --budget 2.5 --relay-only",
      'npx webrtc-workbench ice turns:turn2.example.org:443 --username bob --credential pw --budget 2.5 --relay-only',
    ]);
  });

  it('turns servers from /api/ice-servers into --from, since their credentials expire', () => {
    expect(iceCommandLine({ servers: [fromApi, stun], budgetMs: 5000, policy: 'all', includeCredentials: true, origin: 'http://localhost:8080' })).toBe(
      'npx webrtc-workbench ice --from http://localhost:8080/api/ice-servers\nnpx webrtc-workbench ice stun:stun.example.org:3478',
    );
  });
});

describe('shellQuote', () => {
  it('leaves URL-safe words bare and single-quotes the rest, globs (?) included', () => {
    expect(shellQuote('turn:h:3478')).toBe('turn:h:3478');
    expect(shellQuote('turn:h:3478?transport=udp')).toBe("'turn:h:3478?transport=udp'");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});
