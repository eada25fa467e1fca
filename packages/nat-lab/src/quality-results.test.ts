// Unit test of the quality lab's table: one Markdown row per scenario, figures with their units,
// the packets a loss figure counts, and a failed assertion in words.
import { describe, expect, it } from 'vitest';

import { formatQualityTable, type QualityLabResults } from './quality-results.js';

describe('formatQualityTable', () => {
  it('prints each scenario as the page reported it, and what failed', () => {
    const results: QualityLabResults = {
      createdAt: '2026-12-04T18:00:00.000Z',
      chromium: 'Chromium 156',
      durationMs: 300_000,
      scenarios: [
        {
          id: 'loss-5-ab',
          title: 'loss 5 % a→b',
          observer: 'b',
          windowSeconds: 30,
          audioLoss: { percent: 4.5, packets: 1500 },
          videoWireLoss: { percent: 4.8, packets: 3000 },
          videoLossAfterRecovery: { percent: 0, packets: 3000 },
          videoOutKbps: 650.4,
          availableOutKbps: 1645,
          resolution: '320×240',
          fps: 18.2,
          freezes: 0,
          rttMs: 2.4,
          mos: 3.8243,
          mosGrade: 'fair',
          failures: [],
        },
        { id: 'cap-1500', title: 'cap 1.5 Mbit/s a→b', observer: 'a', windowSeconds: 7, videoOutKbps: 1700, failures: ['video out 1700 kbit/s over 1.1 × 1500'] },
      ],
    };
    const lines = formatQualityTable(results).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('| scenario | seen by | audio loss | video loss on the wire | video loss after recovery | video out | available out | resolution | fps | freezes | RTT | MOS | result |');
    expect(lines[2]).toBe('| loss 5 % a→b | B | 4.50 % of 1500 | 4.80 % of 3000 | 0.00 % of 3000 | 650 kbit/s | 1645 kbit/s | 320×240 | 18 | 0 | 2 ms | 3.82 (fair) | ok |');
    expect(lines[3]).toContain('| — | — |');
    expect(lines[3]).toMatch(/\| FAILED: video out 1700 kbit\/s over 1\.1 × 1500 \|$/);
  });
});
