import { describe, expect, it } from 'vitest';
import { describeIceServers, fetchIceServers, hasTurn, loadIceServers, type IceServersCache } from './ice-servers.js';

function answering(status: number, body: string): typeof fetch {
  return async () => new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

describe('fetchIceServers', () => {
  it('returns the server list unchanged, TURN credentials included', async () => {
    const iceServers = [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478'], username: '1700000000:workbench-ab12', credential: 'c2VjcmV0' },
    ];
    let asked = '';
    const fetcher: typeof fetch = async (input) => {
      asked = String(input);
      return new Response(JSON.stringify({ iceServers, ttlSeconds: 3600 }));
    };
    expect(await fetchIceServers(fetcher)).toEqual({ iceServers });
    expect(asked).toBe('/api/ice-servers');
  });

  it('accepts an empty list (a server with no STUN/TURN configured)', async () => {
    expect(await fetchIceServers(answering(200, '{"iceServers":[]}'))).toEqual({ iceServers: [] });
  });

  it('goes on without servers, saying why, when the request fails', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect(await fetchIceServers(failing)).toEqual({ iceServers: [], problem: '/api/ice-servers could not be fetched (Failed to fetch).' });
    expect((await fetchIceServers(answering(404, 'not found'))).problem).toBe('/api/ice-servers answered HTTP 404.');
    expect((await fetchIceServers(answering(200, '<html>'))).problem).toBe('/api/ice-servers did not answer JSON.');
  });

  it('refuses entries a browser would reject, instead of failing later in new RTCPeerConnection()', async () => {
    for (const body of ['{}', '{"iceServers":[{"url":"stun:x"}]}', '{"iceServers":[{"urls":[]}]}', '{"iceServers":[{"urls":"turn:x","username":7}]}', 'null']) {
      const result = await fetchIceServers(answering(200, body));
      expect(result.iceServers, body).toEqual([]);
      expect(result.problem, body).toContain('{iceServers: RTCIceServer[]}');
    }
  });
});

describe('describeIceServers', () => {
  it('lists the URLs and TURN user names, never the credential', () => {
    const text = describeIceServers([{ urls: 'stun:a:3478' }, { urls: ['turn:b:3478', 'turns:b:5349'], username: 'u1', credential: 'secret' }]);
    expect(text).toBe('stun:a:3478; turn:b:3478, turns:b:5349 (user u1)');
    expect(text).not.toContain('secret');
  });

  it('says what an empty list means', () => {
    expect(describeIceServers([])).toContain('host candidates only');
  });
});

describe('hasTurn and the expiry', () => {
  it('detects turn: and turns: URLs, in a string or a list', () => {
    expect(hasTurn([{ urls: 'stun:a' }])).toBe(false);
    expect(hasTurn([{ urls: 'stun:a' }, { urls: ['turn:127.0.0.1:3478?transport=udp'] }])).toBe(true);
    expect(hasTurn([{ urls: 'turns:x:5349' }])).toBe(true);
  });

  it('passes on when the TURN credentials expire, and ignores a nonsense expiry', async () => {
    const list = [{ urls: ['turn:t:3478'], username: '1700003600:u', credential: 'c' }];
    expect(await fetchIceServers(answering(200, JSON.stringify({ iceServers: list, expiresAt: 1_700_003_600_000 })))).toEqual({
      iceServers: list,
      expiresAt: 1_700_003_600_000,
    });
    expect(await fetchIceServers(answering(200, JSON.stringify({ iceServers: list, expiresAt: 'soon' })))).toEqual({ iceServers: list });
  });
});

describe('loadIceServers', () => {
  /** A fetch that answers when told to, counting the requests. */
  function gate(body: object): { fetcher: typeof fetch; requests: () => number; answer: () => void } {
    let count = 0;
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    return {
      fetcher: async () => {
        count += 1;
        await opened;
        return new Response(JSON.stringify(body));
      },
      requests: () => count,
      answer: () => open(),
    };
  }

  it('shares the request in flight: two needs at page start (load, and a rejoin at once) fetch once', async () => {
    const server = gate({ iceServers: [{ urls: 'stun:a:3478' }] });
    const cache: IceServersCache = {};
    const first = loadIceServers(server.fetcher, cache);
    const second = loadIceServers(server.fetcher, cache);
    server.answer();
    expect(await first).toEqual(await second);
    expect(server.requests()).toBe(1);
  });

  it('reuses a good answer for ten minutes, or half its credentials\' life, then fetches again', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const server = gate({ iceServers: [{ urls: 'turn:a:3478', username: 'u', credential: 'c' }], expiresAt: 1_000_000 + 60_000 });
    server.answer();
    const cache: IceServersCache = {};
    await loadIceServers(server.fetcher, cache, now);
    clock += 29_000; // credentials valid 60 s: reused for 30 s
    await loadIceServers(server.fetcher, cache, now);
    expect(server.requests()).toBe(1);
    clock += 2_000;
    await loadIceServers(server.fetcher, cache, now);
    expect(server.requests()).toBe(2);

    const stun = gate({ iceServers: [{ urls: 'stun:a:3478' }] });
    stun.answer();
    const stunCache: IceServersCache = {};
    await loadIceServers(stun.fetcher, stunCache, now);
    clock += 9 * 60_000;
    await loadIceServers(stun.fetcher, stunCache, now);
    expect(stun.requests()).toBe(1);
    clock += 2 * 60_000;
    await loadIceServers(stun.fetcher, stunCache, now);
    expect(stun.requests()).toBe(2);
  });

  it('asks again after a failure instead of keeping it', async () => {
    let count = 0;
    const failing: typeof fetch = async () => {
      count += 1;
      return new Response('nope', { status: 503 });
    };
    const cache: IceServersCache = {};
    expect((await loadIceServers(failing, cache)).problem).toContain('503');
    await loadIceServers(failing, cache);
    expect(count).toBe(2);
  });
});
