import { describe, expect, it } from 'vitest';

import { STORAGE_KEY, entryFromDraft, loadServers, saveServers, serversFromApi, toRtcIceServer, validateServer } from './servers.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
  };
}

describe('validateServer', () => {
  it('lists the checks a valid URL runs', () => {
    const result = validateServer({ url: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' });
    expect(result.ok && result.targets.map((t) => t.transport)).toEqual(['udp', 'tcp']);
  });

  it('explains a bad URL and a TURN server without credentials', () => {
    expect(validateServer({ url: 'turn://x', username: 'u', credential: 'p' })).toMatchObject({ ok: false, message: expect.stringMatching(/without "\/\/"/) });
    expect(validateServer({ url: 'turn:x', username: 'u', credential: '' })).toMatchObject({ ok: false, message: expect.stringMatching(/need a username and a credential/) });
    expect(validateServer({ url: 'stun:x', username: '', credential: '' }).ok).toBe(true);
  });
});

describe('storage', () => {
  it("saves the person's servers with their credentials, but not the server's expiring ones", () => {
    const storage = memoryStorage();
    const own = entryFromDraft({ url: ' turn:h:3478 ', username: 'alice', credential: 'pw' }, 'user', 'a');
    const fromServer = entryFromDraft({ url: 'turn:h:3478', username: '1:x', credential: 'c' }, 'server', 'b');
    saveServers(storage, [own, fromServer]);
    expect(JSON.parse(storage.data.get(STORAGE_KEY) ?? '')).toEqual([{ id: 'a', url: 'turn:h:3478', username: 'alice', credential: 'pw' }]);
    expect(loadServers(storage)).toEqual([{ id: 'a', url: 'turn:h:3478', username: 'alice', credential: 'pw', source: 'user' }]);
  });

  it('ignores unreadable storage instead of breaking the page', () => {
    expect(loadServers(memoryStorage({ [STORAGE_KEY]: '{oops' }))).toEqual([]);
    expect(loadServers(memoryStorage({ [STORAGE_KEY]: JSON.stringify([{ id: 1 }, { id: 'ok', url: 'stun:x' }]) }))).toEqual([{ id: 'ok', url: 'stun:x', source: 'user' }]);
    expect(loadServers(undefined)).toEqual([]);
  });
});

describe('serversFromApi', () => {
  it('splits /api/ice-servers into one entry per URL, keeping the credentials and expiry', () => {
    const { entries, expiresAt } = serversFromApi({
      iceServers: [{ urls: ['stun:127.0.0.1:1'] }, { urls: ['turn:127.0.0.1:1?transport=udp', 'turn:127.0.0.1:1?transport=tcp'], username: '1700000000:w', credential: 'c' }],
      ttlSeconds: 60,
      expiresAt: 1_700_000_000_000,
    });
    expect(entries.map((e) => [e.url, e.username, e.source])).toEqual([
      ['stun:127.0.0.1:1', undefined, 'server'],
      ['turn:127.0.0.1:1?transport=udp', '1700000000:w', 'server'],
      ['turn:127.0.0.1:1?transport=tcp', '1700000000:w', 'server'],
    ]);
    expect(expiresAt).toBe(1_700_000_000_000);
    expect(() => serversFromApi({ nope: 1 })).toThrow(/iceServers/);
  });

  it('turns an entry into the RTCIceServer of one check URL', () => {
    const entry = entryFromDraft({ url: 'turn:h:1', username: 'u', credential: 'p' });
    expect(toRtcIceServer(entry, 'turn:h:1?transport=tcp')).toEqual({ urls: 'turn:h:1?transport=tcp', username: 'u', credential: 'p' });
    expect(toRtcIceServer(entryFromDraft({ url: 'stun:h', username: '', credential: '' }))).toEqual({ urls: 'stun:h' });
  });
});
