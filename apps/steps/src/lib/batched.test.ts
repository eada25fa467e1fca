import { afterEach, describe, expect, it, vi } from 'vitest';
import { Batched } from './batched.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Batched', () => {
  it('hands over everything pushed within delayMs of the first item at once, in order', () => {
    vi.useFakeTimers();
    const delivered: number[][] = [];
    const batch = new Batched<number>((items) => delivered.push(items), 200);
    batch.push(1);
    vi.advanceTimersByTime(150);
    batch.push(2);
    batch.push(3);
    expect(delivered).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(delivered).toEqual([[1, 2, 3]]);
    batch.push(4);
    vi.advanceTimersByTime(200);
    expect(delivered).toEqual([[1, 2, 3], [4]]);
  });

  it('flush() delivers now; clear() drops what waits and its timer', () => {
    vi.useFakeTimers();
    const delivered: string[][] = [];
    const batch = new Batched<string>((items) => delivered.push(items), 200);
    batch.push('a');
    batch.flush();
    expect(delivered).toEqual([['a']]);
    batch.flush();
    expect(delivered).toEqual([['a']]);
    batch.push('b');
    batch.clear();
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([['a']]);
  });
});
