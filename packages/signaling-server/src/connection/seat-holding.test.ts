// Seat holding on its own, against the real in-memory seat store, on fake timers: a dropped
// client's seat stays taken for exactly the grace, and is then freed once, with its peers told.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomRegistry, type RoomLeaveOutcome } from '../room-registry.js';
import { MemorySeatStore } from '../seat-store.js';
import { SeatHolding } from './seat-holding.js';

const GRACE_MS = 5000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A room of two in a real store, `a` about to drop; `expired` records what the holder reports. */
async function setUp() {
  const store = new MemorySeatStore(new RoomRegistry());
  await store.join('r', 'a');
  await store.join('r', 'b');
  // Recorded as given, so that a report about a seat that had moved on shows up as one.
  const expired: [string, string, RoomLeaveOutcome | undefined][] = [];
  const failed: string[] = [];
  const seats = new SeatHolding(store, GRACE_MS, {
    expired: (room, memberId, left) => expired.push([room, memberId, left]),
    failed: (memberId) => failed.push(memberId),
  });
  return { store, seats, expired, failed };
}

describe('SeatHolding', () => {
  it('keeps the seat taken for the whole grace, then frees it and reports it once', async () => {
    const { store, seats, expired } = await setUp();
    seats.hold('r', 'a');
    expect(seats.roomOf('a')).toBe('r');

    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(store.local.roomOf('a')).toBe('r');
    expect((await store.join('r', 'c')).ok).toBe(false); // still full
    expect(expired).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(store.local.roomOf('a')).toBeUndefined();
    expect(seats.roomOf('a')).toBeUndefined();
    expect(expired).toEqual([['r', 'a', { room: 'r', clientId: 'a', remaining: ['b'] }]]);
    expect((await store.join('r', 'c')).ok).toBe(true);

    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(expired).toHaveLength(1);
  });

  it('stops waiting when the client comes back: the seat stays its, and nobody hears bye', async () => {
    const { store, seats, expired } = await setUp();
    seats.hold('r', 'a');
    await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
    seats.drop('a');
    expect(seats.roomOf('a')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(store.local.roomOf('a')).toBe('r');
    expect(expired).toEqual([]);
  });

  it('starts the grace over when the same seat is held again (it dropped again after a resume)', async () => {
    const { store, seats, expired } = await setUp();
    seats.hold('r', 'a');
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1000);
    seats.hold('r', 'a');
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(store.local.roomOf('a')).toBe('r');
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual([['r', 'a', { room: 'r', clientId: 'a', remaining: ['b'] }]]);
  });

  it('reports nothing when the seat was already gone at expiry (moved to another connection or left)', async () => {
    const { store, seats, expired, failed } = await setUp();
    seats.hold('r', 'a');
    await store.leave('r', 'a');
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect(expired).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('holds several seats independently', async () => {
    const { seats, expired } = await setUp();
    seats.hold('r', 'a');
    await vi.advanceTimersByTimeAsync(1000);
    seats.hold('r', 'b');
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1000);
    expect(expired.map(([, memberId]) => memberId)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(expired.map(([, memberId, left]) => [memberId, left?.remaining])).toEqual([
      ['a', ['b']],
      ['b', []],
    ]);
  });

  it('frees nothing after dispose (the process is going away)', async () => {
    const { store, seats, expired } = await setUp();
    seats.hold('r', 'a');
    seats.dispose();
    await vi.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(store.local.roomOf('a')).toBe('r');
    expect(expired).toEqual([]);
  });
});
