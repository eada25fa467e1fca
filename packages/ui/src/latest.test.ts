import { describe, expect, it } from 'vitest';
import { LatestRun } from './latest.js';

describe('LatestRun', () => {
  it("aborts the previous run's signal when a new run starts, and the current one on cancel", () => {
    const runs = new LatestRun();
    const first = runs.next();
    expect(first.aborted).toBe(false);
    const second = runs.next();
    expect(first.aborted).toBe(true);
    expect(second.aborted).toBe(false);
    runs.cancel();
    expect(second.aborted).toBe(true);
    expect(runs.next().aborted).toBe(false);
  });
});
