// Unit tests for the page's URL parameters and room links.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTERVAL_MS, randomRoomName, readPageParams, roomLink } from './pageParams.js';

describe('readPageParams', () => {
  const read = (query: string) => readPageParams(new URL(`https://x.test/diagnostics/quality/${query}`));

  it('polls every second and names no room by default', () => {
    expect(read('')).toEqual({ intervalMs: DEFAULT_INTERVAL_MS });
  });

  it('reads a valid room and interval, and explains the invalid ones', () => {
    expect(read('?room=demo-1&interval=200')).toEqual({ room: 'demo-1', intervalMs: 200 });
    expect(read('?room=no%20spaces').roomProblem).toMatch(/letters, digits/);
    expect(read('?interval=5')).toEqual({ intervalMs: 1000, intervalProblem: '?interval=5 ignored: give whole milliseconds from 50 to 10000.' });
    expect(read('?interval=abc').intervalMs).toBe(1000);
  });
});

describe('room names and links', () => {
  it('makes valid random names and links that keep the other parameters', () => {
    expect(randomRoomName(() => new Uint8Array([0, 1, 2, 31, 32, 255]))).toBe('quality-abc9a9');
    expect(roomLink(new URL('https://x.test/diagnostics/quality/?interval=200#top'), 'demo').href).toBe('https://x.test/diagnostics/quality/?interval=200&room=demo#top');
  });
});
