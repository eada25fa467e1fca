import { describe, expect, it } from 'vitest';
import { setupPhases } from './phases.js';

describe('setupPhases', () => {
  it("counts every phase from 'ready', in the order a call goes through them", () => {
    const phases = setupPhases(1000, { offer: 1000.4, answer: 1030, 'ICE connected': 1080.6, 'DTLS connected': 1100, 'first remote frame': 1250 });
    expect(phases).toEqual([
      { name: 'offer', at: 0 },
      { name: 'answer', at: 30 },
      { name: 'ICE connected', at: 81 },
      { name: 'DTLS connected', at: 100 },
      { name: 'first remote frame', at: 250 },
    ]);
  });

  it('leaves out what has not happened yet, and everything before ready', () => {
    expect(setupPhases(1000, { offer: 1005 }).map((p) => p.at)).toEqual([5, undefined, undefined, undefined, undefined]);
    expect(setupPhases(undefined, { offer: 1005 }).every((p) => p.at === undefined)).toBe(true);
  });
});
