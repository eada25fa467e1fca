import { afterEach, describe, expect, it, vi } from 'vitest';
import { whenIdle } from './idle.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('whenIdle', () => {
  it('asks requestIdleCallback, with the latest time as its timeout', () => {
    const requestIdleCallback = vi.fn();
    vi.stubGlobal('requestIdleCallback', requestIdleCallback);
    const run = vi.fn();
    whenIdle(run, 500);
    expect(requestIdleCallback).toHaveBeenCalledWith(run, { timeout: 500 });
    expect(run).not.toHaveBeenCalled();
  });

  it('without requestIdleCallback, runs after the current task', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    whenIdle(run, 2000);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
