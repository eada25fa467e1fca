import type { Peer } from '@workbench/core/peer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveCallStats } from './liveCallStats.svelte.js';

/** What LiveCallStats reads of a Peer: its connection's getStats (the poller) and its own (encryption). */
function fakePeer() {
  const getStats = vi.fn(async () => new Map() as unknown as RTCStatsReport);
  const peer = { closed: false, pc: { getStats }, getStats, remoteDescription: null };
  return { peer: peer as unknown as Peer, getStats, close: () => (peer.closed = true) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveCallStats.startSoon', () => {
  it('asks nothing of getStats() until 300 ms after the first remote frame, then polls and reads the encryption', async () => {
    vi.useFakeTimers();
    const stats = new LiveCallStats();
    const { peer, getStats } = fakePeer();
    stats.startSoon(peer);
    expect(getStats).not.toHaveBeenCalled();
    stats.firstFrame();
    // Not at once: the other side may still be decoding its own first frame.
    vi.advanceTimersByTime(299);
    expect(getStats).not.toHaveBeenCalled();
    // The poller's first poll (its module is fetched on start) and the encryption read.
    await vi.waitFor(() => expect(getStats).toHaveBeenCalledTimes(2));
    stats.firstFrame(); // a second frame event starts nothing more
    await Promise.resolve();
    expect(getStats).toHaveBeenCalledTimes(2);
    stats.stop();
  });

  it('starts after latestMs when no frame comes, and not at all for a connection closed meanwhile or a stop()', () => {
    vi.useFakeTimers();
    const stats = new LiveCallStats();
    const late = fakePeer();
    stats.startSoon(late.peer, 1000);
    vi.advanceTimersByTime(999);
    expect(late.getStats).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(late.getStats).toHaveBeenCalled();
    stats.stop();

    const closed = fakePeer();
    stats.startSoon(closed.peer, 1000);
    closed.close();
    vi.advanceTimersByTime(1000);
    expect(closed.getStats).not.toHaveBeenCalled();

    const stopped = fakePeer();
    stats.startSoon(stopped.peer, 1000);
    stats.stop();
    stats.firstFrame();
    vi.advanceTimersByTime(1000);
    expect(stopped.getStats).not.toHaveBeenCalled();
  });
});
